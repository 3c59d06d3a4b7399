"""The judged set: everyday searches and what a practitioner would accept first.

Written from the demo services' descriptions and eligibility (services/demo/data/),
before the ranking that they test was run, and never edited to fit it. Each
scenario is one search of the demo from a family's home (``postcode``, 5 miles,
every service listed whether accepting or not, as the search page does); each need
names the services a practitioner would accept as the first suggestion
(``accept``) and those that must not appear in the first three (``not_top3``:
only where the search has enough other candidates that showing them would be a
mistake). Team scenarios also hold the suggested team to ``accept`` per need.

Vocabulary (routing/engine/help.py): severity "early" (an early worry),
"moderate" (affecting daily life), "high" (serious or at risk), "" not given;
``urgent`` is "needs help now"; ``kinds`` the kinds of help asked for;
``help_for`` "child", "parent" or "family" ("" = the need's own default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HOME = "BL2 6DU"


@dataclass(frozen=True)
class Ask:
    code: str
    accept: frozenset[str]
    not_top3: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Scenario:
    title: str
    age: int
    needs: tuple[Ask, ...]
    severity: str = ""
    urgent: bool = False
    kinds: frozenset[str] = frozenset()
    help_for: str = ""
    postcode: str = HOME
    team: bool = False
    tags: tuple[str, ...] = field(default=())


def ask(code: str, accept: set[str], not_top3: set[str] | None = None) -> Ask:
    return Ask(code, frozenset(accept), frozenset(not_top3 or ()))


CAMHS = "Child and adolescent mental health service (CAMHS)"
MHST = "Mental health support team in schools"
NURSING = "School nursing drop-ins"
TEXT_NURSE = "School nurse text messaging service"
ONLINE_COUNSELLING = "Online counselling for young people"
PSYCHOSIS = "Early intervention in psychosis"
PARENT_CBT = "Parent-led CBT for child anxiety"
HELPLINE = "Family Lines parenting helpline"
PEER = "Parent peer support"
COMMUNITY_WORKER = "Community family support worker"
MOTHERS = "Mothers' wellbeing group"
SENDIASS = "SEND information, advice and support service (SENDIASS)"
SALT = "Children's speech and language therapy"
NEURO = "Neurodevelopmental assessment pathway"
AUTISM_PARENTS = "Autism parent support group"
SLEEP = "Children's sleep support"
EATING = "Children's eating disorder service"
EARLY_HELP = "Early Help family support"
ED_PSYCH = "Educational psychology consultation"
COMPLEX = "Complex safeguarding team"
MENTORING = "Exploitation mentoring"
YP_SUBSTANCE = "Young people's drug and alcohol service"
ADULT_SUBSTANCE = "Adult drug and alcohol service: family support"
HIDDEN_HARM = "Hidden harm: children of parents who use substances"
DA_OUTREACH = "Domestic abuse outreach and advocacy"
DA_GROUP = "Children's domestic abuse recovery group"
REFUGE = "Refuge accommodation"
HOUSING_OPTIONS = "Housing options for families"
TENANCY = "Tenancy sustainment for families"
HOUSING_RIGHTS = "Housing and tenancy rights advice"

SCENARIOS: tuple[Scenario, ...] = (
    # --- Mental health and wellbeing ---------------------------------------------------
    Scenario("15-year-old with eating difficulties", 15, (
        ask("MHW.EATING", {EATING}, {PSYCHOSIS}),), severity="moderate"),
    Scenario("15-year-old with eating difficulties, nothing more said", 15, (
        ask("MHW.EATING", {EATING}, {PSYCHOSIS}),)),
    Scenario("16-year-old self-harming, at risk, needs help now", 16, (
        ask("MHW.SELFHARM", {CAMHS}, {PSYCHOSIS}),), severity="high", urgent=True),
    Scenario("14-year-old, early worry about self-harm", 14, (
        ask("MHW.SELFHARM", {CAMHS, ONLINE_COUNSELLING, MHST, NURSING}, {PSYCHOSIS}),),
        severity="early"),
    Scenario("9-year-old, mental health (general)", 9, (
        ask("MHW", {MHST, CAMHS, NURSING}, {HELPLINE, PEER, COMMUNITY_WORKER, MOTHERS, EATING,
                                            SLEEP}),), severity="moderate"),
    Scenario("9-year-old, early worry about mental health", 9, (
        ask("MHW", {MHST, NURSING}, {EATING, HELPLINE, PEER}),), severity="early"),
    Scenario("12-year-old, early worry about anxiety", 12, (
        ask("MHW.ANX", {MHST, TEXT_NURSE, ONLINE_COUNSELLING, NURSING}, {CAMHS, PSYCHOSIS}),),
        severity="early"),
    Scenario("8-year-old with anxiety affecting school", 8, (
        ask("MHW.ANX", {MHST, PARENT_CBT}, {MOTHERS}),), severity="moderate"),
    Scenario("15-year-old with severe anxiety", 15, (
        ask("MHW.ANX", {CAMHS}, {PSYCHOSIS}),), severity="high"),
    Scenario("10-year-old with sleep problems", 10, (
        ask("MHW.SLEEP", {SLEEP}),)),
    Scenario("1-year-old, mother with severe postnatal mental illness", 1, (
        ask("MHW.PARENT", {"Perinatal mental health service"}, {CAMHS, HELPLINE}),),
        severity="high"),
    Scenario("7-year-old, early worry about a parent's wellbeing", 7, (
        ask("MHW.PARENT", {PEER, COMMUNITY_WORKER, HELPLINE, MOTHERS}, {CAMHS}),),
        severity="early"),
    # --- Social, emotional and mental health --------------------------------------------
    Scenario("8-year-old, behaviour that challenges", 8, (
        ask("SEMH.BEHAV", {EARLY_HELP, ED_PSYCH}),), severity="moderate"),
    Scenario("9-year-old with trauma, serious", 9, (
        ask("SEMH.TRAUMA", {CAMHS}),), severity="high"),
    Scenario("13-year-old, early worry about friendships", 13, (
        ask("SEMH.RELAT", {MHST, ONLINE_COUNSELLING, "Music and arts project"}),),
        severity="early"),
    # --- SEND --------------------------------------------------------------------------
    Scenario("7-year-old, speech and language", 7, (
        ask("SEND.SPEECH", {SALT}),)),
    Scenario("3-year-old, early worry about speech", 3, (
        ask("SEND.SPEECH", {SALT}),), severity="early"),
    Scenario("4-year-old, possible autism", 4, (
        ask("SEND.AUTISM", {SENDIASS, AUTISM_PARENTS, NEURO}),), severity="early"),
    Scenario("12-year-old, ADHD", 12, (
        ask("SEND.ADHD", {SENDIASS, NEURO}),), severity="moderate"),
    Scenario("8-year-old, learning difficulties", 8, (
        ask("SEND.LEARN", {SENDIASS, ED_PSYCH}),)),
    Scenario("6-year-old, sensory processing difficulties", 6, (
        ask("SEND.SENSORY", {"Children's occupational therapy"}),)),
    # --- Early years -------------------------------------------------------------------
    Scenario("2-year-old, early worry about development", 2, (
        ask("EARLY.DEV", {"Health visiting", "Start for Life stay and play"}),),
        severity="early"),
    Scenario("3-year-old, childcare and funded places", 3, (
        ask("EARLY.CHILDCARE", {"Funded childcare and early education advice"}),)),
    Scenario("Baby, infant feeding", 0, (
        ask("EARLY.INFANT", {"Infant feeding drop-in", "Health visiting"},
            {"Perinatal mental health service"}),)),
    # --- Housing -----------------------------------------------------------------------
    Scenario("8-year-old, family about to lose their home", 8, (
        ask("HOUSING.HOMELESS", {HOUSING_OPTIONS, TENANCY, HOUSING_RIGHTS}, {REFUGE}),),
        severity="high", urgent=True),
    Scenario("5-year-old living in a damp, overcrowded home", 5, (
        ask("HOUSING.CONDITION", {"Private housing standards", "Energy and damp advice visits",
                                  "Warm homes advice", HOUSING_RIGHTS}),)),
    Scenario("10-year-old in temporary accommodation", 10, (
        ask("HOUSING.TEMP", {"Temporary accommodation family support"}),)),
    # --- Domestic abuse ----------------------------------------------------------------
    Scenario("6-year-old after domestic abuse", 6, (
        ask("DA.CHILD", {DA_GROUP}),)),
    Scenario("12-year-old, mother experiencing domestic abuse, at risk", 12, (
        ask("DA.SUPPORT", {DA_OUTREACH}),), severity="high", urgent=True),
    Scenario("9-year-old, domestic abuse (general)", 9, (
        ask("DA", {DA_GROUP, DA_OUTREACH}),), severity="moderate"),
    # --- Parenting ---------------------------------------------------------------------
    Scenario("14-year-old, parents struggling with a teenager", 14, (
        ask("PARENTING.TEEN", {"Parenting teenagers course", HELPLINE}, {ADULT_SUBSTANCE}),),
        severity="early"),
    Scenario("6-year-old, parents want a parenting programme", 6, (
        ask("PARENTING.PROG", {"Family hub parenting programme"}, {ADULT_SUBSTANCE}),)),
    Scenario("10-year-old, parents' arguments affecting them", 10, (
        ask("PARENTING.CONFLICT", {"Reducing parental conflict"}, {ADULT_SUBSTANCE}),)),
    # --- Attendance --------------------------------------------------------------------
    Scenario("9-year-old, persistent absence", 9, (
        ask("ATTEND.PERSIST", {"Attendance and inclusion support", EARLY_HELP}),)),
    Scenario("12-year-old, emotionally based school avoidance", 12, (
        ask("ATTEND.EBSA", {"Attendance and inclusion support"}),)),
    # --- Young carers ------------------------------------------------------------------
    Scenario("11-year-old young carer needing an assessment", 11, (
        ask("CARERS.ASSESS", {"Young carers assessment (council)",
                              "Young carers support and assessment"}),)),
    Scenario("12-year-old young carer needing a break", 12, (
        ask("CARERS.BREAKS", {"Young carers clubs and breaks"}),)),
    # --- Substance misuse --------------------------------------------------------------
    Scenario("13-year-old using drugs", 13, (
        ask("SUBSTANCE.YOUNG", {YP_SUBSTANCE}),), severity="moderate"),
    Scenario("9-year-old whose parent drinks heavily", 9, (
        ask("SUBSTANCE.PARENT", {HIDDEN_HARM}),), severity="moderate"),
    # --- Money and food ----------------------------------------------------------------
    Scenario("7-year-old, family with no food, needs help now", 7, (
        ask("MONEY.FOOD", {"Emergency food parcels", "Community pantry"},
            {"School uniform exchange"}),), urgent=True, severity="high"),
    Scenario("10-year-old, family in debt", 10, (
        ask("MONEY.DEBT", {"Debt and benefits advice", "Welfare rights and council tax support"}),
    )),
    Scenario("6-year-old, family cannot afford heating", 6, (
        ask("MONEY.FUEL", {"Warm homes advice", "Fuel debt advice",
                           "Energy and damp advice visits"}),)),
    # --- Physical health ---------------------------------------------------------------
    Scenario("10-year-old above a healthy weight", 10, (
        ask("HEALTH.WEIGHT", {"Family healthy weight programme"}),)),
    Scenario("15-year-old, sexual health", 15, (
        ask("HEALTH.SEXUAL", {"Young people's sexual health clinic", NURSING}),)),
    Scenario("7-year-old, oral health", 7, (
        ask("HEALTH.DENTAL", {"Oral health improvement"}),)),
    # --- Positive activities -----------------------------------------------------------
    Scenario("13-year-old who wants a youth club", 13, (
        ask("ACTIVITY.YOUTH", {"Detached youth work", "Town centre youth centre"}),),
        kinds=frozenset({"activities"})),
    Scenario("12-year-old who wants sport", 12, (
        ask("ACTIVITY.SPORT", {"Street sport sessions", "Town centre youth centre",
                               "Farnworth youth club"}),), kinds=frozenset({"activities"})),
    # --- Bereavement -------------------------------------------------------------------
    Scenario("8-year-old after a parent died", 8, (
        ask("BEREAVE.CHILD", {"One-to-one bereavement support for children",
                              "Family bereavement groups"}),), severity="moderate"),
    # --- Exploitation ------------------------------------------------------------------
    Scenario("14-year-old at risk of criminal exploitation", 14, (
        ask("EXPLOIT.CCE", {COMPLEX, MENTORING}),), severity="high", urgent=True),
    Scenario("14-year-old at risk of criminal exploitation, nothing more said", 14, (
        ask("EXPLOIT.CCE", {COMPLEX, MENTORING}),)),
    Scenario("15-year-old at risk of sexual exploitation", 15, (
        ask("EXPLOIT.CSE", {COMPLEX}),), severity="high"),
    Scenario("15-year-old, early worry about online harm", 15, (
        ask("EXPLOIT.ONLINE", {"Online safety advice line"}),), severity="early"),
    Scenario("15-year-old being drawn into extremism", 15, (
        ask("EXPLOIT.RADICAL", {"Prevent and Channel support"}),), severity="high"),
    # --- Advice asked for --------------------------------------------------------------
    Scenario("7-year-old, parents want advice about SEND support", 7, (
        ask("SEND", {SENDIASS}),), kinds=frozenset({"advice"})),
    # --- Teams around the family -------------------------------------------------------
    Scenario("7-year-old: anxiety, speech and housing", 7, (
        ask("MHW.ANX", {MHST, PARENT_CBT}),
        # SENDIASS was judged "not in the top 3" here, against this file's own rule:
        # only it and SALT meet speech, so it cannot be left out of a list of three.
        # Corrected after the first run; the team is still held to SALT.
        ask("SEND.SPEECH", {SALT}),
        ask("HOUSING.HOMELESS", {HOUSING_OPTIONS, TENANCY, HOUSING_RIGHTS}),
    ), severity="moderate", team=True),
    Scenario("14-year-old: criminal exploitation and drug use", 14, (
        ask("EXPLOIT.CCE", {COMPLEX, MENTORING}),
        ask("SUBSTANCE.YOUNG", {YP_SUBSTANCE}),
    ), severity="high", team=True),
    Scenario("6-year-old: after domestic abuse, family homeless", 6, (
        ask("DA.CHILD", {DA_GROUP}),
        ask("HOUSING.HOMELESS", {HOUSING_OPTIONS, TENANCY, HOUSING_RIGHTS}, {REFUGE}),
    ), team=True),
    Scenario("10-year-old: sleep problems and autism", 10, (
        ask("MHW.SLEEP", {SLEEP}),
        ask("SEND.AUTISM", {SENDIASS, AUTISM_PARENTS, NEURO, SLEEP}),
    ), team=True),
    Scenario("9-year-old: bereaved and anxious", 9, (
        ask("BEREAVE.CHILD", {"One-to-one bereavement support for children",
                              "Family bereavement groups"}),
        ask("MHW.ANX", {MHST, PARENT_CBT, CAMHS}),
    ), severity="moderate", team=True),
    Scenario("12-year-old: young carer, family in debt", 12, (
        ask("CARERS", {"Young carers support and assessment", "Young carers in schools"}),
        ask("MONEY.DEBT", {"Debt and benefits advice", "Welfare rights and council tax support"}),
    ), team=True),
)
