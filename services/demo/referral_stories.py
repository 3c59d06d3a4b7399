"""The demo's referrals as stories: invented children, who referred them, for what, and
what each service did and when (days before the loader's clock).

Every child, name and detail is fictional. The stories cover every referral status and
put entries on each of the coordinator's "falling through the cracks" lists (with the
default thresholds: 5 working days to open, 5 to decide, 3 to answer a question, 5 to
make first contact).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TONGE_MOOR = "staff.tongemoor@demo.familyhub.test"  # Tonge Moor Primary School
FARNWORTH = "staff.farnworth@demo.familyhub.test"  # Farnworth Kearsley Academy

# The story that records a child a second time, and the one it duplicates.
DUPLICATE_STORY, DUPLICATED_STORY = "isla-fernsbie", "isla-fernsby"

# The family whose progress page a visitor can open (README, "The demo").
PROGRESS_CHILD = "Ruby Hartwell"
PROGRESS_DATE_OF_BIRTH = date(2016, 3, 14)


@dataclass(frozen=True)
class Step:
    """One thing a service or the school does to a referral, ``days_ago`` before now.

    ``action`` is open, accept, waitlist, decline, ask, answer, contact, close,
    withdraw or reroute (to ``service``, whose referral later steps then act on);
    ``code`` is a decline reason or an outcome, ``text`` the words typed.
    """

    days_ago: float
    action: str
    text: str = ""
    code: str = ""
    service: str = ""


@dataclass(frozen=True)
class Track:
    """One service a need went to, and what happened to that referral."""

    service: str
    needs: tuple[str, ...]
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Story:
    """One referral form: the child, the school's member of staff, when it was sent
    (``sent_days_ago``) and a track per chosen service."""

    key: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    postcode: str
    referrer: str
    sent_days_ago: float
    family_wants: str
    strengths: str
    tracks: tuple[Track, ...]
    urgent: tuple[str, ...] = ()
    risk: str = "low"
    severity: str = ""
    # Days before now the school gives the family a progress link (None: no link).
    link_days_ago: float | None = None
    contact: tuple[str, ...] = ("phone",)
    attendance_concern: bool = False
    # Whom the referral is about ("child", "unborn", "parent"); an unborn baby's
    # expected date of delivery as days after sending; a date of birth (then
    # ``date_of_birth`` is None, with an approximate year or not) or home postcode
    # ("") the school does not know.
    subject: str = "child"
    due_in_days: int | None = None
    birth_year: int | None = None
    # Need-to-know sharing: the safeguarding notes, how the risk to the child themselves
    # is managed ("" for the level's usual words), and what each service sees, by
    # service name (a service not named sees the defaults).
    safeguarding_notes: str = ""
    risk_to_self_note: str = ""
    shared: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class MovedSchool:
    """A child from a story who has moved school: the new school refers them (the same
    record, confirmed) and asks the earlier school's safeguarding lead for the details
    of the earlier referrals, which waits for the lead's decision."""

    story_key: str
    referrer: str
    sent_days_ago: float
    service: str
    needs: tuple[str, ...]
    family_wants: str
    strengths: str
    request_days_ago: float
    reason: str


def _s(days: float, action: str, text: str = "", code: str = "", service: str = "") -> Step:
    return Step(days, action, text, code, service)


STORIES: tuple[Story, ...] = (
    # --- Tonge Moor Primary School ---------------------------------------------------
    Story("ruby-hartwell", "Ruby", "Hartwell", PROGRESS_DATE_OF_BIRTH,
          "BL2 2NL", TONGE_MOOR, 34,
          "Ruby to sleep through the night and feel less worried at school",
          "Loves drawing and looking after the class guinea pigs",
          (
              Track("Children's sleep support", ("MHW.SLEEP",), (
                  _s(33, "open"), _s(31, "accept"),
                  _s(24, "contact", "First sleep clinic appointment booked for next week"),
              )),
              Track("Early Help family support", ("PARENTING",), (
                  _s(32, "open"),
                  _s(30, "waitlist", "A family support worker will be allocated in turn"),
              )),
          ), link_days_ago=30),
    Story("leo-ramsbottom", "Leo", "Ramsbottom", date(2015, 10, 22), "BL2 3HL", TONGE_MOOR,
          8,
          "Leo to be understood when he talks, and to feel safe and less low",
          "Great memory for train timetables; kind to the class's new pupils",
          (
              Track("Children's speech and language therapy", ("SEND.SPEECH",), (
                  _s(7, "open"),
              )),
              Track("Child and adolescent mental health service (CAMHS)", ("MHW.SELFHARM",), (
                  _s(7, "open"), _s(6, "accept"),
              )),
          ), risk="medium", severity="moderate",
          safeguarding_notes="Leo was on a child in need plan until July; the family's "
                             "social worker is still in touch with mum.",
          risk_to_self_note="Leo has scratched his arms at school twice this term; a safety "
                            "plan is agreed with mum and the school nurse checks in weekly.",
          # The speech and language therapists see what they need: not the self-harm
          # notes or the safeguarding notes, which CAMHS sees.
          shared=(("Child and adolescent mental health service (CAMHS)",
                   ("needs", "profile", "work_risk", "safeguarding", "self_others_risk")),)),
    Story("poppy-thistlewood", "Poppy", "Thistlewood", date(2018, 7, 2), "BL2 3AB",
          TONGE_MOOR, 1,
          "Help with bedtimes: Poppy is awake most nights until midnight",
          "Kind to younger children; good at jigsaws",
          (Track("Children's sleep support", ("MHW.SLEEP",)),)),
    Story("alfie-brackenridge", "Alfie", "Brackenridge", date(2017, 1, 19), "BL2 2JT",
          TONGE_MOOR, 12,
          "Advice on Alfie's bed-wetting and a check on his weight",
          "Football; always helps tidy up",
          (Track("Family healthy weight programme", ("HEALTH.WEIGHT",)),)),
    Story("isla-fernsby", "Isla", "Fernsby", date(2015, 11, 8), "BL2 2NL", TONGE_MOOR, 20,
          "Support for Isla's anxiety about coming into school",
          "Reads well above her age; plays the recorder",
          (Track("Child and adolescent mental health service (CAMHS)", ("MHW.ANX",), (
              _s(18, "open"),
          )),), risk="medium", severity="moderate"),
    # Isla again, her surname misspelled: a second record of one child, which the
    # safeguarding lead merges into the first (services/demo/identity.py).
    Story(DUPLICATE_STORY, "Isla", "Fernsbie", date(2015, 11, 8), "BL2 2NL", TONGE_MOOR, 10,
          "Help for Isla's mum with morning routines, so Isla gets to school on time",
          "Reads well above her age; plays the recorder",
          (Track("Early Help family support", ("PARENTING",), (_s(8, "open"),)),)),
    Story("ollie-pennington", "Ollie", "Pennington", date(2016, 5, 23), "BL2 3HL",
          TONGE_MOOR, 3,
          "Mum would like help with routines at home",
          "Funny and friendly; loves dinosaurs",
          (Track("Early Help family support", ("PARENTING",), (_s(2, "open"),)),)),
    Story("freya-lindqvist", "Freya", "Lindqvist", date(2014, 9, 30), "BL2 2NL", TONGE_MOOR,
          16,
          "Help for Freya, who looks after her mum most evenings",
          "Very organised; a reading buddy for Year 3",
          (Track("Young carers support and assessment", ("CARERS",), (
              _s(15, "open"),
              _s(10, "ask", "Does Freya's mum know about the referral, and what days can "
                            "Freya come to an after-school session?"),
          )),)),
    Story("noah-ashcombe", "Noah", "Ashcombe", date(2015, 2, 11), "BL2 2JT", TONGE_MOOR, 45,
          "Noah's dad wants help to manage his behaviour at home",
          "Brilliant at building things; good with animals",
          (Track("Family hub parenting programme", ("PARENTING.PROG",), (
              _s(44, "open"),
              _s(43, "ask", "Which evenings could Noah's dad come to a group?"),
              _s(41, "answer", "Tuesdays or Thursdays after 6pm"),
              _s(39, "waitlist", "The next course starts in the spring"),
              _s(22, "withdraw", "The family moved to Wigan and will ask there"),
          )),)),
    Story("maya-okonjo", "Maya", "Okonjo", date(2013, 4, 17), "BL2 3AB", TONGE_MOOR, 42,
          "Help with Maya's eating: she has skipped lunch for weeks",
          "Captain of the netball team; writes stories",
          (Track("Children's eating disorder service", ("MHW.EATING",), (
              _s(41, "open"),
              _s(40, "waitlist", "Assessment slots are full this month"),
          )),), risk="medium", severity="moderate"),
    Story("harry-winstanley", "Harry", "Winstanley", date(2016, 12, 1), "BL2 2NL",
          TONGE_MOOR, 62,
          "Support for Harry after his grandad died",
          "Gentle and thoughtful; likes Lego",
          (Track("Mental health support team in schools", ("MHW",), (
              _s(60, "open"),
              _s(58, "decline", "Tonge Moor is not one of our schools this year; the "
                                "school's own family hub offers this",
                 "out_of_area"),
              _s(57, "reroute", service="One-to-one bereavement support for children"),
              _s(55, "open"), _s(54, "accept"),
              _s(50, "contact", "Weekly sessions with Harry at school"),
              _s(12, "close", "Harry has finished his sessions and is doing well",
                 "support_completed"),
          )),)),
    Story("lily-macready", "Lily", "Macready", date(2017, 6, 5), "BL2 3HL", TONGE_MOOR, 26,
          "Help for Lily, who is often late and tired",
          "Loves singing; confident speaker",
          (
              Track("Mental health support team in schools", ("MHW.ANX",), (
                  _s(25, "open"),
                  _s(23, "decline", "We only work with children aged 5 and over at our "
                                    "partner schools", "not_eligible"),
              )),
              Track("Young carers in schools", ("CARERS",), (
                  _s(24, "open"),
                  _s(21, "decline", "Lily is not a young carer: her older brother looks "
                                    "after their nan", "need_not_met"),
                  _s(19, "reroute", service="Young carers support and assessment"),
                  _s(18, "open"),
                  _s(14, "decline", "The family told us they do not want support",
                     "family_declined"),
              )),
          )),
    # --- Farnworth Kearsley Academy ------------------------------------------------------
    Story("kai-sutcliffe", "Kai", "Sutcliffe", date(2011, 8, 14), "BL4 8BJ", FARNWORTH, 2,
          "Help for Kai to get back into school; he has missed most of this half-term",
          "Good at maths; fixes bikes",
          (Track("Attendance and inclusion support", ("ATTEND.PERSIST",), (
              _s(1, "open"), _s(1, "accept"),
          )),), attendance_concern=True),
    Story("amira-haddad", "Amira", "Haddad", date(2010, 2, 27), "BL4 9RU", FARNWORTH, 24,
          "Amira wants someone to talk to about stress and exams",
          "Speaks three languages; wants to be a vet",
          (Track("Young carers support and assessment", ("CARERS.ASSESS",), (
              _s(23, "open"), _s(20, "accept"),
          )),)),
    Story("jayden-cropper", "Jayden", "Cropper", date(2009, 10, 3), "BL4 8BJ", FARNWORTH, 6,
          "Keep Jayden safe: older boys are giving him money and phones",
          "Talented at football; loyal to his friends",
          (Track("Complex safeguarding team", ("EXPLOIT.CCE",), (
              _s(6, "open"), _s(5, "accept"),
              _s(4, "contact", "Joint visit with the school's safeguarding lead arranged"),
          )),), urgent=("EXPLOIT.CCE",), risk="high", severity="high"),
    Story("ella-brightmore", "Ella", "Brightmore", date(2012, 1, 9), "BL4 9RU", FARNWORTH, 1,
          "Ella's mum asked about the holiday club and help with the school day",
          "Plays the drums; kind to new pupils",
          (Track("Detached youth work", ("ACTIVITY.YOUTH",)),)),
    Story("reece-holcroft", "Reece", "Holcroft", date(2010, 6, 21), "BL4 8BJ", FARNWORTH, 85,
          "Help for Reece to stay in school after two fixed-term exclusions",
          "Strong at art; good with younger cousins",
          (Track("Early Help family support", ("SEMH",), (
              _s(84, "open"), _s(82, "accept"),
              _s(78, "contact", "Family support worker visiting fortnightly"),
              _s(35, "close", "The family stopped answering calls and visits",
                 "family_disengaged"),
          )),)),
    Story("zara-mellor", "Zara", "Mellor", date(2011, 3, 3), "BL4 9RU", FARNWORTH, 70,
          "Advice for Zara's family on damp in their rented home",
          "Loves science; helps at the food club",
          (Track("Private housing standards", ("HOUSING.CONDITION",), (
              _s(68, "open"),
              _s(66, "decline", "We inspect privately rented homes only; the family's "
                                "landlord is a housing association", "not_eligible"),
          )),)),
    Story("theo-kenyon", "Theo", "Kenyon", date(2012, 11, 12), "BL4 8BJ", FARNWORTH, 9,
          "Theo's sleep has been poor since his parents separated",
          "Chess club; very curious",
          (Track("Children's sleep support", ("MHW.SLEEP",), (
              _s(8, "open"),
              _s(7, "ask", "Has Theo seen his GP about his sleep?"),
              _s(5, "answer", "Yes, in September: the GP suggested this referral"),
              _s(3, "accept"),
          )),)),
    Story("grace-ollerton", "Grace", "Ollerton", date(2009, 5, 16), "BL4 9RU", FARNWORTH, 1.5,
          "Grace would like someone to talk to about her parents' arguments",
          "Debating team; great at languages",
          (Track("Mental health support team in schools", ("SEMH.RELAT",), (
              _s(1, "open"),
              _s(0.5, "ask", "Does Grace know about this referral and agree to it?"),
          )),)),
    # Not school-age children: an unborn baby (a pupil's mother, expecting) and a
    # parent, her date of birth and home address not known to the school.
    Story("baby-ashworth", "Baby", "Ashworth", None, "BL2 2JT", TONGE_MOOR, 3,
          "Mum would like support with her low mood before the baby arrives",
          "Mum is organised and keeps every appointment",
          (Track("Perinatal mental health service", ("MHW.PARENT",), (_s(2, "open"),)),),
          subject="unborn", due_in_days=70),
    Story("dawn-pilling", "Dawn", "Pilling", None, "", FARNWORTH, 5,
          "Dawn wants to talk to someone safely about what is happening at home",
          "Dawn is a caring mum who never misses the school run",
          (Track("Domestic abuse outreach and advocacy", ("DA.SUPPORT",)),),
          subject="parent"),
)

# Maya Okonjo (Tonge Moor) moved up to Farnworth Kearsley Academy.
MOVED = MovedSchool(
    "maya-okonjo", FARNWORTH, 4, "Mental health support team in schools", ("MHW.ANX",),
    "Maya to settle at her new school and have someone to talk to",
    "Captain of the netball team; writes stories", 3,
    "Maya joined us this term. Her form tutor is worried about her eating at lunch; we "
    "need to know what support she had at her last school.")
