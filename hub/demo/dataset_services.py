"""Demo services run by Bolton Council and the NHS.

Listings are illustrative: they show the kind of offer a family hub area has, not
the organisations' actual services, teams or opening hours. Contacts are team
mailboxes on example domains and fictional 01204 000 xxx numbers.
"""

from __future__ import annotations

from hub.demo import dataset_schools as s
from hub.demo import dataset_venues as v
from hub.demo.dataset_orgs import BOLTON_FT, COUNCIL, GMMH
from hub.demo.specs import ServiceSpec, cap

HUB, VENUE, HOME, ONLINE, PHONE = "school_hub", "venue", "home_visit", "online", "phone"
MON, TUE, WED, THU, FRI = "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"
OFFICE_HOURS = "Monday to Friday, 9am to 5pm"
SOUTH_ASIAN = ("English", "Urdu", "Gujarati", "Punjabi")

COUNCIL_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        COUNCIL, "Early Help family support",
        "A named family support worker helps the whole family with several needs at once, "
        "such as routines, behaviour, school attendance and money worries. Support usually "
        "lasts three to six months and is planned with the family.",
        ("PARENTING", "SEMH", "ATTEND.PERSIST"), 0, 18,
        "Families with children aged 0 to 18 who live in Bolton and agree to the referral.",
        (HOME, HUB, VENUE), OFFICE_HOURS, "Early Help hub", "earlyhelp@example.gov.uk",
        "01204 000 201", "system", cap(True, 4, 12, 21, 2.5, "Early Help hub"),
        languages=("English", "Urdu", "Polish"), venue=v.TOWN_HALL,
        hubs=((s.TONGE_MOOR, (MON,)), (s.GREAT_LEVER, (WED,)), (s.FARNWORTH_PARK, (THU,))),
    ),
    ServiceSpec(
        COUNCIL, "Attendance and inclusion support",
        "Attendance officers work with schools and families when a child's attendance is "
        "falling. They look for the reasons behind absence and agree a plan to help the child "
        "back into school.",
        ("ATTEND", "ATTEND.PERSIST", "ATTEND.EBSA"), 5, 16,
        "Pupils at Bolton schools with attendance below 90 per cent.",
        (HUB, HOME), OFFICE_HOURS, "Attendance team", "attendance@example.gov.uk",
        "01204 000 202", "system", cap(True, 6, 3, 10, 6, "Attendance team"),
        hubs=((s.CENTRAL_ACADEMY, (TUE,)), (s.BREIGHTMET_ACADEMY, (THU,))),
    ),
    ServiceSpec(
        COUNCIL, "Children missing education team",
        "Finds and supports children of school age who are not on a school roll or not "
        "receiving a suitable education. The team helps families secure a school place.",
        ("ATTEND.CME",), 4, 16,
        "Children of compulsory school age living in Bolton.",
        (PHONE, HOME), OFFICE_HOURS, "Children missing education team", "cme@example.gov.uk",
        "01204 000 203", "system", cap(True, 10, 0, 3, 14, "Children missing education team"),
    ),
    ServiceSpec(
        COUNCIL, "Housing options for families",
        "Advice and help for families who are homeless or may lose their home in the next "
        "eight weeks. Officers can help keep a tenancy, find a new home or arrange emergency "
        "accommodation.",
        ("HOUSING", "HOUSING.HOMELESS"), 0, 25,
        "Households in Bolton with children or a pregnant household member.",
        (VENUE, PHONE), "Monday to Friday, 9am to 4:30pm; out-of-hours line for emergencies",
        "Housing options team", "housingoptions@example.gov.uk", "01204 000 204", "both",
        cap(True, 8, 5, 2, 0.3, "Housing options team"),
        languages=("English", "Urdu", "Arabic", "Polish"), venue=v.TOWN_HALL,
    ),
    ServiceSpec(
        COUNCIL, "Temporary accommodation family support",
        "Support workers visit families placed in temporary accommodation to help them settle, "
        "keep children in school and move on to a settled home.",
        ("HOUSING.TEMP", "ATTEND.PERSIST"), 0, 18,
        "Families placed in temporary accommodation by Bolton Council.",
        (HOME, PHONE), OFFICE_HOURS, "Temporary accommodation team",
        "tasupport@example.gov.uk", "01204 000 205", "system",
        cap(True, 3, 2, 7, 9, "Temporary accommodation team"),
    ),
    ServiceSpec(
        COUNCIL, "Private housing standards",
        "Environmental health officers inspect rented homes that are damp, unsafe or "
        "overcrowded and can require landlords to carry out repairs.",
        ("HOUSING.CONDITION",), 0, 25,
        "Tenants of private landlords in Bolton.",
        (HOME, PHONE, ONLINE), OFFICE_HOURS, "Private sector housing team",
        "housingstandards@example.gov.uk", "01204 000 206", "both",
        cap(True, 10, 14, 28, 22, "Private sector housing team"),
    ),
    ServiceSpec(
        COUNCIL, "SEND information, advice and support service (SENDIASS)",
        "Free, impartial and confidential advice for parents and young people about special "
        "educational needs and disabilities. Advisers explain EHC needs assessments, help with "
        "paperwork and can come to meetings with schools.",
        ("SEND", "SEND.AUTISM", "SEND.ADHD", "SEND.LEARN"), 0, 25,
        "Parents and carers of children with SEND, and young people with SEND up to 25.",
        (PHONE, ONLINE, VENUE), "Monday to Thursday, 9:30am to 4pm",
        "SENDIASS advice line", "sendiass@example.gov.uk", "01204 000 207", "both",
        cap(True, 5, 9, 14, 4, "SENDIASS advice line"),
        languages=("English", "Urdu", "Gujarati"), venue=v.CENTRAL_LIBRARY,
    ),
    ServiceSpec(
        COUNCIL, "Educational psychology consultation",
        "Educational psychologists meet school staff and parents to plan support for a child "
        "with learning, social or emotional difficulties. Consultations take place at the "
        "child's school.",
        ("SEND.LEARN", "SEMH", "SEMH.BEHAV"), 0, 19,
        "Children at Bolton schools; the school's SENCo requests the consultation.",
        (HUB,), "Term time, by appointment", "Educational psychology service",
        "edpsych@example.gov.uk", "01204 000 208", "system",
        cap(False, 0, 18, 45, 31, "Educational psychology service"),
        hubs=((s.LEVER_EDGE, (MON,)), (s.PATHWAYS, (WED,)), (s.HALLIWELL, (FRI,))),
    ),
    ServiceSpec(
        COUNCIL, "Detached youth work",
        "Youth workers meet young people where they spend time, in parks and town centres, "
        "in the evenings. They offer advice, activities and a trusted adult to talk to.",
        ("ACTIVITY.YOUTH", "EXPLOIT.CCE", "SUBSTANCE.YOUNG"), 11, 19,
        "Young people aged 11 to 19 in Bolton.",
        (VENUE,), "Tuesday to Friday, 6pm to 9:30pm", "Youth service",
        "youthservice@example.gov.uk", "01204 000 209", "both",
        cap(True, 10, 0, 0, 11, "Youth service"), venue=v.YOUTH_CENTRE,
    ),
    ServiceSpec(
        COUNCIL, "Town centre youth centre",
        "Open-access youth sessions with sport, music, cooking and one-to-one support from "
        "youth workers. Young people can drop in or be referred for a named worker.",
        ("ACTIVITY.YOUTH", "ACTIVITY.SPORT", "ACTIVITY.ARTS"), 11, 19,
        "Young people aged 11 to 19, or up to 25 with SEND.",
        (VENUE,), "Monday to Friday, 4pm to 9pm; Saturday, 12pm to 5pm", "Youth service",
        "youthcentre@example.gov.uk", "01204 000 210", "self",
        cap(True, 10, 0, 0, 1.5, "Youth centre team"),
        venue=v.YOUTH_CENTRE, area="town_centre",
    ),
    ServiceSpec(
        COUNCIL, "Start for Life stay and play",
        "Free play sessions for babies and young children with their parents or carers, led "
        "by family hub early years workers. Sessions support early development and help "
        "families meet others nearby.",
        ("EARLY.DEV",), 0, 5,
        "Families with children under five; no referral needed.",
        (VENUE, HUB), "Weekday mornings in term time", "Family hubs early years team",
        "startforlife@example.gov.uk", "01204 000 211", "self",
        cap(True, 10, 0, 0, 0.8, "Family hubs early years team"),
        languages=("English", "Urdu", "Polish"), venue=v.BREIGHTMET_HUB,
        hubs=((s.HEATON, (TUE,)), (s.LITTLE_LEVER, (THU,))),
    ),
    ServiceSpec(
        COUNCIL, "Family hub parenting programme",
        "A ten-week group course for parents of children aged 3 to 12 on play, praise, "
        "routines and calm boundaries. Creche places are available at most venues.",
        ("PARENTING.PROG",), 3, 12,
        "Parents and carers in Bolton; fathers and grandparents are welcome.",
        (VENUE, HUB, ONLINE), "Courses start in September, January and April",
        "Family hubs parenting team", "parenting@example.gov.uk", "01204 000 212", "both",
        cap(True, 7, 4, 30, 16, "Family hubs parenting team"),
        languages=SOUTH_ASIAN, venue=v.WESTHOUGHTON_HUB,
        hubs=((s.DAUBHILL, (WED,)), (s.KEARSLEY_VALE, (MON,))),
    ),
    ServiceSpec(
        COUNCIL, "Reducing parental conflict",
        "Practitioners work with parents, together or separately, whose arguments are "
        "affecting their children. It is not for families where there is domestic abuse.",
        ("PARENTING.CONFLICT",), 0, 18,
        "Parents in Bolton, living together or apart, where there is no domestic abuse.",
        (VENUE, ONLINE, HOME), OFFICE_HOURS, "Family hubs relationships team",
        "relationships@example.gov.uk", "01204 000 213", "both",
        cap(True, 2, 6, 21, 27, "Family hubs relationships team"), venue=v.HEATON_HUB,
    ),
    ServiceSpec(
        COUNCIL, "Holiday activities and food programme",
        "Free activities and a healthy meal in the Easter, summer and Christmas holidays for "
        "children who receive benefits-related free school meals.",
        ("ACTIVITY.HOLIDAY", "MONEY.FOOD"), 5, 16,
        "Children eligible for benefits-related free school meals.",
        (HUB, VENUE), "School holidays, 10am to 2pm", "Holiday activities team",
        "haf@example.gov.uk", "01204 000 214", "self",
        cap(True, 10, 0, 0, 35, "Holiday activities team"), venue=v.OLDHAMS_HUB,
        hubs=((s.SMITHILLS, ()), (s.FARNWORTH_ACADEMY, ()), (s.WESTHOUGHTON_HIGH, ())),
    ),
    ServiceSpec(
        COUNCIL, "Funded childcare and early education advice",
        "Advice on free childcare for two, three and four year olds and how to find a place. "
        "The team checks eligibility for the two-year-old offer.",
        ("EARLY.CHILDCARE",), 0, 4,
        "Parents of children under five living in Bolton.",
        (PHONE, ONLINE), OFFICE_HOURS, "Family information service", "fis@example.gov.uk",
        "01204 000 215", "self", cap(True, 10, 0, 1, 3, "Family information service"),
        languages=("English", "Urdu", "Polish", "Arabic"),
    ),
    ServiceSpec(
        COUNCIL, "Complex safeguarding team",
        "Specialist social workers and youth workers support young people at risk of sexual "
        "or criminal exploitation, including county lines. Work is long term and relationship "
        "based.",
        ("EXPLOIT", "EXPLOIT.CSE", "EXPLOIT.CCE"), 10, 18,
        "Young people at risk of exploitation; a professional makes the referral.",
        (HOME, VENUE), OFFICE_HOURS, "Complex safeguarding team",
        "complexsafeguarding@example.gov.uk", "01204 000 216", "system",
        cap(True, 1, 3, 5, 0.5, "Complex safeguarding team"), venue=v.TOWN_HALL,
    ),
    ServiceSpec(
        COUNCIL, "Prevent and Channel support",
        "Advice for professionals and families worried that a young person is being drawn "
        "into extremism, and voluntary Channel support where appropriate.",
        ("EXPLOIT.RADICAL",), 10, 25,
        "Young people in Bolton; referrals come through a professional.",
        (PHONE, VENUE), OFFICE_HOURS, "Prevent team", "prevent@example.gov.uk",
        "01204 000 217", "system", cap(True, 5, 0, 7, 40, "Prevent team"),
        venue=v.TOWN_HALL,
    ),
    ServiceSpec(
        COUNCIL, "Welfare rights and council tax support",
        "Benefit checks, help with claims and appeals, and council tax support for low-income "
        "families.",
        ("MONEY.DEBT",), 0, 25,
        "Bolton residents on a low income.",
        (PHONE, VENUE, ONLINE), OFFICE_HOURS, "Welfare rights team",
        "welfarerights@example.gov.uk", "01204 000 218", "both",
        cap(True, 6, 11, 12, 8, "Welfare rights team"),
        languages=("English", "Urdu", "Gujarati", "Polish"), venue=v.TOWN_HALL,
    ),
    ServiceSpec(
        COUNCIL, "Warm homes advice",
        "Home energy visits, help with fuel debt and grants for insulation or heating repairs "
        "for families struggling to heat their home.",
        ("MONEY.FUEL", "HOUSING.CONDITION"), 0, 25,
        "Bolton households on a low income or with a child with a health condition.",
        (HOME, PHONE), OFFICE_HOURS, "Warm homes team", "warmhomes@example.gov.uk",
        "01204 000 219", "both", cap(True, 9, 2, 10, 13, "Warm homes team"),
    ),
    ServiceSpec(
        COUNCIL, "Young carers assessment (council)",
        "A statutory assessment of a young carer's needs and the support the family needs so "
        "the child is not caring too much.",
        ("CARERS.ASSESS",), 5, 18,
        "Children and young people who care for a family member in Bolton.",
        (HOME, HUB), OFFICE_HOURS, "Carers assessment team", "carersassess@example.gov.uk",
        "01204 000 220", "system", cap(True, 3, 7, 28, 19, "Carers assessment team"),
        hubs=((s.TURTON_EDGE, (WED,)),),
    ),
)

NHS_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        BOLTON_FT, "School nursing drop-ins",
        "School nurses run confidential drop-ins in school where pupils can talk about health, "
        "worries, sleep, relationships and growing up. Nurses can also refer on to other "
        "services.",
        ("HEALTH.NURSING", "HEALTH.SEXUAL", "MHW"), 5, 19,
        "Pupils at the host schools; parents can also ask for an appointment.",
        (HUB,), "Term time, during the host school's drop-in days", "School nursing team",
        "schoolnursing@example.nhs.uk", "01204 000 301", "both",
        cap(True, 10, 0, 0, 1, "School nursing team"),
        hubs=((s.SMITHILLS, (TUE,)), (s.CENTRAL_ACADEMY, (TUE, THU)),
              (s.FARNWORTH_ACADEMY, (WED,)), (s.RIVINGTON, (FRI,))),
    ),
    ServiceSpec(
        BOLTON_FT, "School nurse text messaging service",
        "Young people can text a school nurse for confidential advice about health, feelings, "
        "relationships or alcohol and drugs. Messages are answered within one working day.",
        ("HEALTH.NURSING", "MHW.ANX"), 11, 19,
        "Young people aged 11 to 19 at school in Bolton.",
        (PHONE, ONLINE), "Monday to Friday, 9am to 5pm, excluding bank holidays",
        "School nursing team", "schoolnursing@example.nhs.uk", "01204 000 302", "self",
        cap(True, 10, 0, 1, 0.2, "School nursing team"),
    ),
    ServiceSpec(
        BOLTON_FT, "Health visiting",
        "Health visitors support families from pregnancy until a child starts school, with "
        "development reviews, feeding advice and support for parents' wellbeing.",
        ("EARLY.INFANT", "EARLY.DEV", "MHW.PARENT"), 0, 5,
        "All families with children under five registered with a Bolton GP.",
        (HOME, VENUE), OFFICE_HOURS, "Health visiting service",
        "healthvisiting@example.nhs.uk", "01204 000 303", "both",
        cap(True, 8, 0, 5, 5, "Health visiting service"),
        languages=("English", "Urdu", "Gujarati", "Polish", "Arabic"), venue=v.HEALTH_CENTRE,
    ),
    ServiceSpec(
        BOLTON_FT, "Infant feeding drop-in",
        "Breastfeeding and bottle-feeding support from infant feeding advisers and trained "
        "peer supporters. Drop in with your baby; no appointment needed.",
        ("EARLY.INFANT",), 0, 2,
        "Parents and carers of babies under two.",
        (VENUE, PHONE), "Wednesday and Friday, 10am to 12pm", "Infant feeding team",
        "infantfeeding@example.nhs.uk", "01204 000 304", "self",
        cap(True, 10, 0, 0, 3.5, "Infant feeding team"),
        languages=SOUTH_ASIAN, venue=v.FARNWORTH_HUB,
    ),
    ServiceSpec(
        BOLTON_FT, "Children's speech and language therapy",
        "Assessment and therapy for children with speech, language, communication or "
        "swallowing difficulties, in clinics, early years settings and schools.",
        ("SEND.SPEECH", "EARLY.DEV"), 0, 18,
        "Children registered with a Bolton GP or attending a Bolton school.",
        (VENUE, HUB), OFFICE_HOURS, "Speech and language therapy",
        "salt@example.nhs.uk", "01204 000 305", "system",
        cap(True, 2, 25, 84, 12, "Speech and language therapy"),
        venue=v.HEALTH_CENTRE,
        hubs=((s.HALLIWELL, (MON,)), (s.BREIGHTMET_FOLD, (THU,)), (s.LEVER_EDGE, (TUE,))),
    ),
    ServiceSpec(
        BOLTON_FT, "Child and adolescent mental health service (CAMHS)",
        "Specialist assessment and treatment for children and young people with moderate to "
        "severe mental health difficulties. Care may include therapy, medication and work "
        "with the family.",
        ("MHW", "MHW.ANX", "MHW.SELFHARM", "SEMH.TRAUMA"), 0, 18,
        "Children and young people registered with a Bolton GP. Urgent cases are seen the "
        "same week.",
        (VENUE, ONLINE), OFFICE_HOURS, "CAMHS single point of access",
        "camhs@example.nhs.uk", "01204 000 306", "system",
        cap(True, 1, 25, 70, 6, "CAMHS single point of access"), venue=v.HEALTH_CENTRE,
    ),
    ServiceSpec(
        BOLTON_FT, "Children's eating disorder service",
        "Family-based treatment for children and young people with eating disorders such as "
        "anorexia, bulimia and ARFID.",
        ("MHW.EATING",), 8, 18,
        "Young people registered with a Bolton GP; GPs and CAMHS refer.",
        (VENUE, ONLINE), OFFICE_HOURS, "Eating disorder team", "camhs.ed@example.nhs.uk",
        "01204 000 307", "system", cap(True, 2, 4, 14, 10, "Eating disorder team"),
        venue=v.HOSPITAL,
    ),
    ServiceSpec(
        BOLTON_FT, "Children's sleep support",
        "Sleep practitioners help families with bedtime routines, night waking and sleep "
        "problems linked to autism or ADHD, through workshops and one-to-one clinics.",
        ("MHW.SLEEP", "SEND.AUTISM"), 2, 18,
        "Children registered with a Bolton GP.",
        (VENUE, ONLINE, PHONE), "Tuesday and Thursday, 9am to 4pm", "Children's sleep team",
        "sleep@example.nhs.uk", "01204 000 308", "both",
        cap(True, 4, 8, 35, 17, "Children's sleep team"), venue=v.HEALTH_CENTRE,
    ),
    ServiceSpec(
        BOLTON_FT, "Neurodevelopmental assessment pathway",
        "Multi-disciplinary assessment for autism and ADHD, with advice for parents and "
        "schools while families wait.",
        ("SEND.AUTISM", "SEND.ADHD"), 2, 18,
        "Children registered with a Bolton GP; schools and health professionals refer.",
        (VENUE,), OFFICE_HOURS, "Neurodevelopmental team", "ndp@example.nhs.uk",
        "01204 000 309", "system",
        cap(False, 0, 25, 300, 38, "Neurodevelopmental team"), venue=v.HOSPITAL,
    ),
    ServiceSpec(
        BOLTON_FT, "Family healthy weight programme",
        "A free eight-week programme for families on healthy eating, cooking on a budget and "
        "being active together.",
        ("HEALTH.WEIGHT", "ACTIVITY.SPORT"), 4, 16,
        "Children above a healthy weight, with their families.",
        (HUB, VENUE, ONLINE), "After school, 4pm to 5:30pm", "Healthy lifestyles team",
        "healthyweight@example.nhs.uk", "01204 000 310", "both",
        cap(True, 9, 0, 14, 24, "Healthy lifestyles team"),
        languages=SOUTH_ASIAN, venue=v.WESTHOUGHTON_HUB,
        hubs=((s.DEANE_BROOK, (THU,)), (s.TONGE_MOOR, (TUE,))),
    ),
    ServiceSpec(
        BOLTON_FT, "Oral health improvement",
        "Supervised toothbrushing in early years settings and primary schools, and help for "
        "families to find an NHS dentist.",
        ("HEALTH.DENTAL",), 0, 11,
        "Children under 12 in Bolton.",
        (HUB, VENUE), "Term time", "Oral health improvement team",
        "oralhealth@example.nhs.uk", "01204 000 311", "both",
        cap(True, 10, 0, 7, 29, "Oral health improvement team"), venue=v.HEALTH_CENTRE,
        hubs=((s.MOORLAND_PRIMARY, (MON,)), (s.GREAT_LEVER, (FRI,))),
    ),
    ServiceSpec(
        BOLTON_FT, "Young people's sexual health clinic",
        "Confidential contraception, testing and advice for young people, with walk-in "
        "sessions after school.",
        ("HEALTH.SEXUAL",), 13, 25,
        "Young people aged 13 to 25.",
        (VENUE,), "Monday and Wednesday, 3:30pm to 6:30pm", "Sexual health service",
        "sexualhealth@example.nhs.uk", "01204 000 312", "self",
        cap(True, 10, 0, 0, 4.5, "Sexual health service"), venue=v.CENTRAL_LIBRARY,
    ),
    ServiceSpec(
        BOLTON_FT, "Children's occupational therapy",
        "Assessment and advice for children with difficulties in motor skills, sensory "
        "processing or everyday tasks, with equipment where needed.",
        ("SEND.SENSORY",), 0, 18,
        "Children registered with a Bolton GP.",
        (VENUE, HUB, HOME), OFFICE_HOURS, "Children's therapies",
        "childrenstherapies@example.nhs.uk", "01204 000 313", "system",
        cap(True, 1, 19, 120, 33, "Children's therapies"), venue=v.HOSPITAL,
        hubs=((s.LEVER_EDGE, (THU,)),),
    ),
    ServiceSpec(
        GMMH, "Mental health support team in schools",
        "Education mental health practitioners offer short, evidence-based help for mild to "
        "moderate anxiety, low mood and worries, and support schools' whole-school approach.",
        ("MHW", "MHW.ANX", "SEMH.RELAT"), 5, 18,
        "Pupils at schools with a mental health support team.",
        (HUB, ONLINE), "Term time, on the host school's team day", "Mental health support team",
        "mhst@example.nhs.uk", "01204 000 351", "system",
        cap(True, 6, 5, 21, 2, "Mental health support team"),
        hubs=((s.HALLIWELL, (WED,)), (s.DAUBHILL, (TUE,)), (s.CENTRAL_ACADEMY, (MON,)),
              (s.PATHWAYS, (THU,))),
    ),
    ServiceSpec(
        GMMH, "Parent-led CBT for child anxiety",
        "A six-session guided programme that helps parents support a primary-aged child "
        "with worries and fears, by phone, video or at school.",
        ("MHW.ANX", "MHW.PARENT"), 5, 11,
        "Parents of primary school children with mild to moderate anxiety.",
        (HUB, PHONE, ONLINE), "Monday to Friday, 9am to 5pm", "Mental health support team",
        "mhst@example.nhs.uk", "01204 000 352", "system",
        cap(True, 3, 9, 28, 7, "Mental health support team"),
        languages=("English", "Urdu"),
        hubs=((s.HEATON, (FRI,)), (s.BREIGHTMET_FOLD, (WED,))),
    ),
    ServiceSpec(
        GMMH, "Perinatal mental health service",
        "Specialist help for parents with moderate to severe mental health difficulties in "
        "pregnancy or the first two years after birth.",
        ("MHW.PARENT", "EARLY.INFANT"), 0, 2,
        "Pregnant women and parents of babies under two registered with a Bolton GP.",
        (HOME, VENUE, ONLINE), OFFICE_HOURS, "Perinatal mental health team",
        "perinatal@example.nhs.uk", "01204 000 353", "system",
        cap(True, 2, 3, 14, 20, "Perinatal mental health team"), venue=v.HEALTH_CENTRE,
    ),
    ServiceSpec(
        GMMH, "Early intervention in psychosis",
        "Fast assessment and support for young people having a first episode of psychosis, "
        "with care co-ordination, therapy and family work.",
        ("MHW",), 14, 25,
        "Young people aged 14 to 25 in Bolton with possible first-episode psychosis.",
        (HOME, VENUE), OFFICE_HOURS, "Early intervention team", "eit@example.nhs.uk",
        "01204 000 354", "system", cap(True, 4, 0, 14, 15, "Early intervention team"),
        venue=v.HEALTH_CENTRE,
    ),
    ServiceSpec(
        GMMH, "Adult drug and alcohol service: family support",
        "Practitioners support parents who use drugs or alcohol, and their families, to reduce "
        "harm to children and to stay in treatment.",
        ("SUBSTANCE.PARENT", "PARENTING"), 0, 18,
        "Parents and carers in Bolton who use drugs or alcohol.",
        (VENUE, HOME, PHONE), "Monday to Friday, 9am to 7pm", "Recovery family team",
        "recoveryfamily@example.nhs.uk", "01204 000 355", "both",
        cap(True, 5, 1, 7, 26, "Recovery family team"), venue=v.ADVICE_CENTRE,
    ),
)
