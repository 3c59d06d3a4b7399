"""Demo services run by the housing association and the voluntary sector.

Every organisation here is fictional. Contacts are team mailboxes on example domains
and fictional phone numbers.
"""

from __future__ import annotations

from hub.demo import dataset_orgs as o
from hub.demo import dataset_schools as s
from hub.demo import dataset_venues as v
from hub.demo.dataset_services import (
    FRI,
    HOME,
    HUB,
    MON,
    ONLINE,
    PHONE,
    SOUTH_ASIAN,
    THU,
    TUE,
    VENUE,
    WED,
)
from hub.demo.specs import ServiceSpec, cap

HOUSING_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        o.HOUSING, "Tenancy sustainment for families",
        "Support officers help tenants with rent arrears, budgeting and repairs so that "
        "families can keep their home. They also link families with debt advice and grants.",
        ("HOUSING.HOMELESS", "MONEY.DEBT"), 0, 25,
        "Croal Valley Homes tenants with children who are at risk of losing their tenancy.",
        (HOME, PHONE), "Monday to Friday, 8:30am to 5pm", "Tenancy sustainment team",
        "tenancy@croalvalley.example.org.uk", "01204 000 401", "both",
        cap(True, 5, 3, 7, 9, "Tenancy sustainment team"),
    ),
    ServiceSpec(
        o.HOUSING, "Community pantry",
        "A membership food pantry: for a small weekly fee members choose fresh and store "
        "cupboard food worth much more. Staff can also help with energy and money advice.",
        ("MONEY.FOOD", "MONEY.FUEL"), 0, 25,
        "Anyone living in the Halliwell and Johnson Fold area.",
        (VENUE,), "Tuesday, 9:30am to 12:30pm and Thursday, 1:30pm to 3:30pm",
        "Community hub team", "pantry@croalvalley.example.org.uk", "01204 000 402", "self",
        cap(True, 10, 0, 0, 2, "Community hub team"), cost="£3.50 a week membership",
        venue=v.JOHNSON_FOLD,
    ),
    ServiceSpec(
        o.HOUSING, "Energy and damp advice visits",
        "Energy advisers visit homes to help with heating costs, meters and condensation, and "
        "report repairs for damp and mould.",
        ("MONEY.FUEL", "HOUSING.CONDITION"), 0, 25,
        "Croal Valley Homes tenants.",
        (HOME, PHONE), "Monday to Friday, 9am to 4pm", "Energy advice team",
        "energy@croalvalley.example.org.uk", "01204 000 403", "both",
        cap(True, 7, 2, 10, 18, "Energy advice team"), languages=("English", "Polish"),
    ),
)

VOLUNTARY_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        o.FOOD_BANK, "Emergency food parcels",
        "Three days of nutritionally balanced emergency food for families in crisis, with "
        "toiletries and signposting to further help. Families need a food voucher from a "
        "referring agency or the family hub.",
        ("MONEY", "MONEY.FOOD"), 0, 25,
        "Families in Bolton in food crisis; up to three vouchers in six months.",
        (VENUE,), "Monday to Friday, 12pm to 2pm", "Food bank volunteers",
        "vouchers@boltonfoodbank.example.org.uk", "01204 000 501", "system",
        cap(True, 10, 0, 0, 0.1, "Food bank duty team"),
        languages=("English", "Urdu", "Arabic", "Polish"), venue=v.FOOD_BANK_CENTRE,
    ),
    ServiceSpec(
        o.FOOD_BANK, "Farnworth and Kearsley food club",
        "A weekly food club with low-cost groceries, a free hot drink and a volunteer who can "
        "help with forms and referrals.",
        ("MONEY.FOOD",), 0, 25,
        "Families living in Farnworth, Kearsley or Moses Gate.",
        (VENUE,), "Tuesday to Friday, 12pm to 2pm", "Farnworth food club",
        "farnworth@boltonfoodbank.example.org.uk", "01204 000 502", "self",
        cap(True, 8, 0, 0, 5, "Farnworth food club"), cost="£2 a visit",
        venue=v.FARNWORTH_CENTRE, area="farnworth_kearsley",
    ),
    ServiceSpec(
        o.FOOD_BANK, "Baby bank",
        "Free cots, prams, clothes, nappies and formula for babies and young children, "
        "collected by appointment after a professional referral.",
        ("MONEY.FOOD", "EARLY.INFANT"), 0, 5,
        "Families with children under five referred by a health visitor, midwife or worker.",
        (VENUE,), "Thursday, 10am to 2pm, by appointment", "Baby bank volunteers",
        "babybank@boltonfoodbank.example.org.uk", "01204 000 503", "system",
        cap(True, 6, 4, 7, 12, "Baby bank volunteers"), venue=v.GREAT_LEVER_CENTRE,
    ),
    ServiceSpec(
        o.FOOD_BANK, "School uniform exchange",
        "Good-quality second-hand school uniform, shoes and PE kit for Bolton schools, free "
        "to any family.",
        ("MONEY",), 4, 16,
        "Any family with a child at a Bolton school.",
        (VENUE, HUB), "Saturday, 10am to 1pm; August, Monday to Saturday",
        "Uniform exchange volunteers", "uniform@boltonfoodbank.example.org.uk",
        "01204 000 504", "self", cap(True, 10, 0, 0, 39, "Uniform exchange volunteers"),
        venue=v.TONGE_CENTRE, hubs=((s.BREIGHTMET_ACADEMY, (FRI,)),),
    ),
    ServiceSpec(
        o.MONEY_ADVICE, "Debt and benefits advice",
        "Free, confidential advice on debts, benefits, Universal Credit and budgeting. "
        "Advisers can negotiate with creditors and help with applications and appeals.",
        ("MONEY", "MONEY.DEBT"), 0, 25,
        "Bolton residents; priority for families with children.",
        (VENUE, PHONE, HUB), "Monday to Friday, 9:30am to 4pm", "Advice line",
        "advice@moneyadvice.example.org.uk", "01204 000 511", "both",
        cap(True, 3, 16, 18, 6, "Advice line"),
        languages=("English", "Urdu", "Gujarati", "Polish", "Arabic"), venue=v.ADVICE_CENTRE,
        hubs=((s.GREAT_LEVER, (TUE,)), (s.FARNWORTH_PARK, (MON,)), (s.TONGE_MOOR, (THU,))),
    ),
    ServiceSpec(
        o.MONEY_ADVICE, "Fuel debt advice",
        "Help for families behind on gas and electricity bills, prepayment meter problems "
        "and applications to trust funds and grants.",
        ("MONEY.FUEL", "MONEY.DEBT"), 0, 25,
        "Bolton households struggling with energy costs.",
        (PHONE, VENUE), "Tuesday and Thursday, 10am to 3pm", "Energy debt adviser",
        "energy@moneyadvice.example.org.uk", "01204 000 512", "both",
        cap(True, 4, 7, 10, 21, "Energy debt adviser"), venue=v.ADVICE_CENTRE,
    ),
    ServiceSpec(
        o.MONEY_ADVICE, "Housing and tenancy rights advice",
        "Advice for tenants on eviction notices, disrepair and deposits, including help to "
        "challenge unlawful evictions.",
        ("HOUSING", "HOUSING.HOMELESS", "HOUSING.CONDITION"), 0, 25,
        "Tenants in Bolton.",
        (PHONE, VENUE, ONLINE), "Monday to Friday, 9:30am to 4pm", "Housing advice team",
        "housing@moneyadvice.example.org.uk", "01204 000 513", "both",
        cap(True, 2, 9, 14, 14, "Housing advice team"), venue=v.ADVICE_CENTRE,
    ),
    ServiceSpec(
        o.YOUNG_CARERS, "Young carers support and assessment",
        "Support workers meet young carers and their families to understand their caring role "
        "and plan support at home and school, including a young carer's card.",
        ("CARERS", "CARERS.ASSESS"), 5, 18,
        "Children and young people in Bolton who help look after someone at home.",
        (HOME, HUB, PHONE), "Monday to Friday, 9am to 5pm", "Young carers team",
        "hello@youngcarers.example.org.uk", "01204 000 521", "both",
        cap(True, 5, 8, 21, 10, "Young carers team"), languages=SOUTH_ASIAN,
        hubs=((s.SMITHILLS, (MON,)), (s.WESTHOUGHTON_HIGH, (THU,))),
    ),
    ServiceSpec(
        o.YOUNG_CARERS, "Young carers clubs and breaks",
        "Weekly clubs and holiday trips where young carers can have fun, make friends and "
        "take a break from caring.",
        ("CARERS.BREAKS", "ACTIVITY.YOUTH"), 8, 18,
        "Young carers known to the project.",
        (VENUE,), "Wednesday, 5pm to 7pm; trips in school holidays", "Young carers team",
        "clubs@youngcarers.example.org.uk", "01204 000 522", "both",
        cap(True, 6, 0, 0, 23, "Young carers team"), venue=v.TONGE_CENTRE,
    ),
    ServiceSpec(
        o.YOUNG_CARERS, "Young carers in schools",
        "The project trains a young carers champion in each school and runs lunchtime groups "
        "so young carers are identified and supported early.",
        ("CARERS",), 7, 16,
        "Pupils at schools taking part in the programme.",
        (HUB,), "Term time, lunchtimes", "Schools programme",
        "schools@youngcarers.example.org.uk", "01204 000 523", "both",
        cap(True, 10, 0, 0, 30, "Schools programme"),
        hubs=((s.ASTLEY_BRIDGE, (TUE,)), (s.HARWOOD, (THU,)), (s.BROMLEY_CROSS, (FRI,))),
    ),
    ServiceSpec(
        o.DOMESTIC_ABUSE, "Domestic abuse outreach and advocacy",
        "Independent advocates support people experiencing domestic abuse with safety "
        "planning, the courts, housing and the police.",
        ("DA", "DA.SUPPORT"), 0, 18,
        "Parents and carers in Bolton experiencing domestic abuse; children are included in "
        "the plan.",
        (PHONE, VENUE, HOME), "Monday to Friday, 9am to 5pm; helpline 24 hours",
        "Outreach team", "support@safehomes.example.org.uk", "01204 000 531", "both",
        cap(True, 3, 5, 3, 0.7, "Outreach team"),
        languages=("English", "Urdu", "Punjabi", "Polish", "Arabic"), venue=v.ADVICE_CENTRE,
    ),
    ServiceSpec(
        o.DOMESTIC_ABUSE, "Children's domestic abuse recovery group",
        "A ten-week group that helps children understand what has happened at home, manage "
        "their feelings and feel safe, with a parallel group for the non-abusing parent.",
        ("DA.CHILD", "SEMH.TRAUMA"), 5, 16,
        "Children who have lived with domestic abuse, where the abuser has left the home.",
        (VENUE, HUB), "After school, 4pm to 5:30pm", "Children's team",
        "children@safehomes.example.org.uk", "01204 000 532", "system",
        cap(True, 2, 11, 42, 8, "Children's team"), venue=v.HEATON_HUB,
        hubs=((s.LITTLE_LEVER, (WED,)),),
    ),
    ServiceSpec(
        o.DOMESTIC_ABUSE, "Refuge accommodation",
        "Safe, confidential refuge accommodation for women and their children escaping "
        "domestic abuse, with support workers on site.",
        ("DA.SUPPORT", "HOUSING.HOMELESS"), 0, 18,
        "Women and their children who need to leave home because of domestic abuse.",
        (PHONE,), "24 hours", "Refuge team", "refuge@safehomes.example.org.uk",
        "01204 000 533", "both", cap(False, 0, 4, 10, 1, "Refuge team"),
        languages=("English", "Urdu", "Arabic"), area=None,
    ),
    ServiceSpec(
        o.DOMESTIC_ABUSE, "Changing abusive behaviour programme",
        "A voluntary programme for parents who want to stop using abusive behaviour, with "
        "support offered to their partners at the same time.",
        ("DA.PERP", "PARENTING.CONFLICT"), 0, 18,
        "Parents in Bolton who recognise their behaviour is harmful and want to change.",
        (VENUE, ONLINE), "Tuesday evenings, 6pm to 8:30pm", "Behaviour change team",
        "change@safehomes.example.org.uk", "01204 000 534", "both",
        cap(True, 4, 6, 35, 25, "Behaviour change team"), venue=v.CENTRAL_LIBRARY,
    ),
    ServiceSpec(
        o.YOUTH_CLUBS, "Farnworth youth club",
        "Evening youth club with pool, games, cooking and trips, run by qualified youth "
        "workers and volunteers.",
        ("ACTIVITY.YOUTH", "ACTIVITY.SPORT"), 8, 18,
        "Young people living in Farnworth and Kearsley.",
        (VENUE, HUB), "Monday and Thursday, 6pm to 8:30pm", "Farnworth youth club",
        "farnworth@moorside.example.org.uk", "01204 000 541", "self",
        cap(True, 10, 0, 0, 3, "Farnworth youth club"), cost="50p a session",
        venue=v.BRACKLEY_STREET, area="farnworth_kearsley",
        hubs=((s.FARNWORTH_PARK, (WED,)), (s.KEARSLEY_VALE, (FRI,))),
    ),
    ServiceSpec(
        o.YOUTH_CLUBS, "Horwich and Blackrod youth club",
        "Youth club nights with sport, music and a quiet space, plus a girls' group and a "
        "young leaders' scheme.",
        ("ACTIVITY.YOUTH", "ACTIVITY.ARTS"), 8, 18,
        "Young people living in Horwich and Blackrod.",
        (VENUE, HUB), "Tuesday and Friday, 6pm to 9pm", "Horwich youth club",
        "horwich@moorside.example.org.uk", "01204 000 542", "self",
        cap(True, 7, 0, 0, 13, "Horwich youth club"), cost="50p a session",
        venue=v.HORWICH_HUB, area="horwich_blackrod",
        hubs=((s.RIVINGTON, (TUE,)), (s.BLACKROD, (FRI,))),
    ),
    ServiceSpec(
        o.YOUTH_CLUBS, "Street sport sessions",
        "Free football, boxing fitness and basketball sessions on school sites and in parks, "
        "with mentoring for young people at risk of getting into trouble.",
        ("ACTIVITY.SPORT", "EXPLOIT.CCE"), 10, 18,
        "Young people aged 10 to 18 in Bolton.",
        (HUB, VENUE), "Weekday evenings and Saturday mornings", "Street sport team",
        "sport@moorside.example.org.uk", "01204 000 543", "both",
        cap(True, 10, 0, 0, 7, "Street sport team"), venue=v.GREAT_LEVER_CENTRE,
        hubs=((s.BREIGHTMET_ACADEMY, (WED,)), (s.CENTRAL_ACADEMY, (FRI,))),
    ),
    ServiceSpec(
        o.YOUTH_CLUBS, "Music and arts project",
        "Young people write, record and perform music, and make films and art, working "
        "towards an Arts Award.",
        ("ACTIVITY.ARTS", "SEMH.RELAT"), 11, 19,
        "Young people aged 11 to 19 in Bolton town centre.",
        (VENUE,), "Wednesday, 5pm to 8pm", "Arts project",
        "arts@moorside.example.org.uk", "01204 000 544", "self",
        cap(True, 5, 0, 0, 36, "Arts project"), venue=v.YOUTH_CENTRE, area="town_centre",
    ),
    ServiceSpec(
        o.BEREAVEMENT, "One-to-one bereavement support for children",
        "Trained practitioners help children and young people grieve after the death of "
        "someone important, at school, at home or online.",
        ("BEREAVE", "BEREAVE.CHILD"), 4, 18,
        "Children and young people in Bolton who have been bereaved.",
        (HUB, HOME, ONLINE), "Monday to Friday, 9am to 6pm", "Children's practitioners",
        "support@littleoaks.example.org.uk", "01204 000 551", "both",
        cap(True, 2, 6, 28, 11, "Children's practitioners"),
        hubs=((s.DAUBHILL, (MON,)), (s.WESTHOUGHTON_PRIMARY, (WED,))),
    ),
    ServiceSpec(
        o.BEREAVEMENT, "Family bereavement groups",
        "Monthly groups where bereaved families meet others, share memories and take part in "
        "activities together.",
        ("BEREAVE.FAMILY", "BEREAVE.CHILD"), 4, 18,
        "Bereaved families in Bolton.",
        (VENUE,), "Second Saturday of each month, 10am to 12pm", "Family groups",
        "groups@littleoaks.example.org.uk", "01204 000 552", "self",
        cap(True, 8, 0, 0, 19, "Family groups"), venue=v.HEATON_HUB,
    ),
    ServiceSpec(
        o.PARENTING, "Parenting teenagers course",
        "A six-week course for parents of 11 to 18 year olds on communication, boundaries, "
        "online life and staying connected.",
        ("PARENTING.TEEN", "EXPLOIT.ONLINE"), 11, 18,
        "Parents and carers of teenagers in Bolton.",
        (VENUE, ONLINE), "Thursday evenings, 6:30pm to 8:30pm", "Courses team",
        "courses@parentingmatters.example.org.uk", "01204 000 561", "both",
        cap(True, 9, 0, 20, 4, "Courses team"), venue=v.CENTRAL_LIBRARY,
    ),
    ServiceSpec(
        o.PARENTING, "Parent peer support",
        "Trained volunteer parents offer a listening ear and practical tips by phone or over "
        "a coffee, and can come along to a first group session.",
        ("PARENTING", "MHW.PARENT"), 0, 18,
        "Any parent or carer in Bolton.",
        (PHONE, VENUE), "Monday to Friday, 10am to 2pm", "Peer support",
        "peers@parentingmatters.example.org.uk", "01204 000 562", "self",
        cap(True, 10, 0, 3, 15, "Peer support"), venue=v.OLDHAMS_HUB,
    ),
    ServiceSpec(
        o.PARENTING, "Horwich dads' group",
        "A fortnightly Saturday group for dads and male carers and their children, with "
        "play, breakfast and peer support.",
        ("PARENTING", "EARLY.DEV"), 0, 11,
        "Dads and male carers in Horwich and Blackrod.",
        (VENUE,), "Every other Saturday, 9:30am to 11:30am", "Dads' group",
        "dads@parentingmatters.example.org.uk", "01204 000 563", "self",
        cap(True, 6, 0, 0, 28, "Dads' group"), venue=v.HORWICH_HUB, area="horwich_blackrod",
    ),
    ServiceSpec(
        o.FAMILIES_TOGETHER, "Community family support worker",
        "Bilingual family support workers help families with parenting, health appointments, "
        "school and benefits, and accompany them to services.",
        ("PARENTING", "MHW.PARENT", "MONEY.DEBT"), 0, 18,
        "Families in Bolton, especially those new to the area or who prefer support in "
        "their own language.",
        (HOME, VENUE, PHONE), "Monday to Friday, 9am to 5pm", "Family support team",
        "team@familiestogether.example.org.uk", "01204 000 571", "both",
        cap(True, 3, 10, 21, 5, "Family support team"),
        languages=("English", "Urdu", "Gujarati", "Punjabi", "Bengali", "Arabic"),
        venue=v.GREAT_LEVER_CENTRE,
    ),
    ServiceSpec(
        o.FAMILIES_TOGETHER, "Mothers' wellbeing group",
        "A friendly weekly group for mothers with crafts, gentle exercise and talks about "
        "wellbeing, with a creche.",
        ("MHW.PARENT", "MHW.ANX"), 0, 11,
        "Mothers in Bolton town centre and nearby; no referral needed.",
        (VENUE,), "Wednesday, 10am to 12pm", "Wellbeing group",
        "wellbeing@familiestogether.example.org.uk", "01204 000 572", "self",
        cap(True, 7, 0, 0, 9, "Wellbeing group"), languages=(*SOUTH_ASIAN, "Polish"),
        venue=v.CENTRAL_LIBRARY, area="town_centre",
    ),
    ServiceSpec(
        o.SUBSTANCE, "Young people's drug and alcohol service",
        "Confidential one-to-one support for young people worried about their drug or "
        "alcohol use, delivered at school, at home or in town.",
        ("SUBSTANCE", "SUBSTANCE.YOUNG"), 10, 21,
        "Young people aged 10 to 21 in Bolton.",
        (HUB, VENUE, HOME), "Monday to Friday, 9am to 6pm", "Young people's team",
        "referrals@freshstart.example.org.uk", "01204 000 581", "both",
        cap(True, 6, 2, 5, 2.5, "Young people's team"), venue=v.ADVICE_CENTRE,
        hubs=((s.PATHWAYS, (TUE,)), (s.TURTON_EDGE, (MON,))),
    ),
    ServiceSpec(
        o.SUBSTANCE, "Hidden harm: children of parents who use substances",
        "Group and one-to-one support for children affected by a parent's drug or alcohol "
        "use, helping them understand it is not their fault.",
        ("SUBSTANCE.PARENT", "SEMH.TRAUMA"), 7, 17,
        "Children in Bolton affected by a family member's substance use.",
        (HUB, VENUE), "After school, 4pm to 6pm", "Hidden harm team",
        "hiddenharm@freshstart.example.org.uk", "01204 000 582", "system",
        cap(True, 3, 5, 21, 22, "Hidden harm team"), venue=v.ADVICE_CENTRE,
        hubs=((s.MOORLAND_PRIMARY, (THU,)),),
    ),
    ServiceSpec(
        o.AUTISM, "Autism parent support group",
        "Parents of autistic children meet to share experience and hear from visiting "
        "speakers, before or after a diagnosis.",
        ("SEND.AUTISM", "SEND.ADHD"), 0, 25,
        "Parents and carers of children who are autistic or waiting for an assessment.",
        (VENUE, ONLINE), "First Tuesday of each month, 7pm to 9pm", "Parent network",
        "hello@autismnetwork.example.org.uk", "01204 000 591", "self",
        cap(True, 10, 0, 0, 37, "Parent network"), venue=v.WESTHOUGHTON_HUB,
    ),
    ServiceSpec(
        o.HELPLINE, "Family Lines parenting helpline",
        "A free national helpline and web chat for parents and carers about any family "
        "worry, from toddler tantrums to teenagers, with call-backs from family workers.",
        ("PARENTING", "PARENTING.TEEN", "MHW.PARENT"), 0, 25,
        "Any parent or carer in England.",
        (PHONE, ONLINE), "Monday to Friday, 9am to 9pm; Saturday and Sunday, 10am to 3pm",
        "Helpline team", "help@familylines.example.org.uk", "0800 000 0601", "self",
        cap(True, 10, 0, 0, 0.4, "Helpline team"),
        languages=("English", "Urdu", "Polish", "Arabic"), area=None,
    ),
    ServiceSpec(
        o.ONLINE_COUNSELLING, "Online counselling for young people",
        "Free, anonymous online counselling and moderated peer forums for young people, "
        "with chat sessions with qualified counsellors.",
        ("MHW", "MHW.ANX", "MHW.SELFHARM", "SEMH.RELAT"), 11, 25,
        "Young people aged 11 to 25 in England.",
        (ONLINE,), "Chat every day, 12pm to 10pm", "Counselling team",
        "team@opendoor.example.org.uk", "0800 000 0611", "self",
        cap(True, 10, 0, 1, 1.2, "Counselling team"), area=None,
    ),
    ServiceSpec(
        o.EXPLOITATION, "Online safety advice line",
        "Advice for families and professionals about online harm, including sextortion, "
        "grooming and harmful content, and help to report it.",
        ("EXPLOIT.ONLINE",), 8, 18,
        "Parents, carers and professionals in England.",
        (PHONE, ONLINE), "Monday to Friday, 10am to 6pm", "Online safety team",
        "online@safestreets.example.org.uk", "0800 000 0621", "self",
        cap(True, 10, 0, 2, 32, "Online safety team"), area=None,
    ),
    ServiceSpec(
        o.EXPLOITATION, "Exploitation mentoring",
        "Mentors with lived experience support young people at risk of criminal or sexual "
        "exploitation, working alongside the complex safeguarding team.",
        ("EXPLOIT.CCE", "EXPLOIT.CSE", "SEMH.BEHAV"), 10, 18,
        "Young people in Bolton at risk of exploitation; professionals refer.",
        (HOME, HUB, VENUE), "Flexible, including evenings and weekends", "Mentoring team",
        "mentoring@safestreets.example.org.uk", "01204 000 622", "system",
        cap(True, 2, 7, 14, 16, "Mentoring team"), venue=v.YOUTH_CENTRE,
        hubs=((s.PATHWAYS, (MON,)), (s.LEVER_EDGE, (WED,))),
    ),
)
