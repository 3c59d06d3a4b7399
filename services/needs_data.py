"""The standard needs taxonomy: two levels with stable codes.

Codes never change once published (referrals and the Open Referral UK API use
them); names and descriptions may be edited by hub coordinators.
"""

from __future__ import annotations

# (code, name, [(child code suffix, child name), ...])
STANDARD_NEEDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("MHW", "Mental health and wellbeing", [
        ("ANX", "Anxiety and low mood"),
        ("SELFHARM", "Self-harm"),
        ("EATING", "Eating difficulties"),
        ("SLEEP", "Sleep problems"),
        ("PARENT", "Parent or carer mental health"),
        ("PSYCHOSIS", "Psychosis"),
    ]),
    ("SEMH", "Social, emotional and mental health (SEMH)", [
        ("BEHAV", "Behaviour that challenges"),
        ("TRAUMA", "Trauma and attachment"),
        ("RELAT", "Friendships and relationships"),
    ]),
    ("SEND", "Special educational needs and disabilities (SEND)", [
        ("AUTISM", "Autism"),
        ("ADHD", "ADHD"),
        ("SPEECH", "Speech, language and communication"),
        ("LEARN", "Learning difficulties"),
        ("SENSORY", "Sensory or physical disability"),
    ]),
    ("HOUSING", "Housing and homelessness", [
        ("HOMELESS", "Homeless or at risk of homelessness"),
        ("CONDITION", "Poor or overcrowded housing"),
        ("TEMP", "Living in temporary accommodation"),
    ]),
    ("DA", "Domestic abuse", [
        ("SUPPORT", "Support for victims"),
        ("CHILD", "Children affected by domestic abuse"),
        ("PERP", "Changing abusive behaviour"),
    ]),
    ("PARENTING", "Parenting support", [
        ("PROG", "Parenting programmes"),
        ("TEEN", "Parenting teenagers"),
        ("CONFLICT", "Parental conflict"),
    ]),
    ("EARLY", "Early years", [
        ("DEV", "Early development and school readiness"),
        ("CHILDCARE", "Childcare and funded places"),
        ("INFANT", "Infant feeding and health visiting"),
    ]),
    ("ATTEND", "Attendance and children missing education", [
        ("PERSIST", "Persistent absence"),
        ("EBSA", "Emotionally based school avoidance"),
        ("CME", "Children missing education"),
    ]),
    ("CARERS", "Young carers", [
        ("ASSESS", "Young carer assessment"),
        ("BREAKS", "Young carer groups and breaks"),
    ]),
    ("SUBSTANCE", "Substance misuse", [
        ("YOUNG", "Young person's drug or alcohol use"),
        ("PARENT", "Parental drug or alcohol use"),
    ]),
    ("MONEY", "Money and food", [
        ("FOOD", "Food and essentials"),
        ("DEBT", "Debt and benefits advice"),
        ("FUEL", "Fuel poverty"),
    ]),
    ("HEALTH", "Physical health", [
        ("NURSING", "School nursing"),
        ("WEIGHT", "Healthy weight"),
        ("SEXUAL", "Sexual health"),
        ("DENTAL", "Oral health"),
    ]),
    ("ACTIVITY", "Positive activities", [
        ("YOUTH", "Youth clubs"),
        ("SPORT", "Sport and physical activity"),
        ("ARTS", "Arts and culture"),
        ("HOLIDAY", "Holiday activities and food"),
    ]),
    ("BEREAVE", "Bereavement", [
        ("CHILD", "Bereaved children and young people"),
        ("FAMILY", "Bereaved families"),
    ]),
    ("EXPLOIT", "Exploitation", [
        ("CSE", "Child sexual exploitation"),
        ("CCE", "Child criminal exploitation and county lines"),
        ("ONLINE", "Online harm"),
        ("RADICAL", "Radicalisation"),
    ]),
]
