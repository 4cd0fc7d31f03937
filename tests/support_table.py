"""Crafted written sentences over real passages of the default corpus, each with the verdict it must get.

Used to calibrate ``qa.answer.support`` (``min_word_support``, ``min_similarity``)
and to test it. Each row: the corpus file, the quoted sentences (verbatim, as
citations [1], [2], ...), a written sentence with the numbers it cites, the
verdict, and what kind of case it is. Supported rows paraphrase the way a
model does; the others change one thing.
"""

from __future__ import annotations

from dataclasses import dataclass

DRIFT = "2018-07-23-cypnow-ofsted-herefordshire-leadership-drift-and-delay.txt"
ANNUAL = "2016-06-29-ofsted-social-care-annual-report-weak-leadership.txt"
RADIO = "2020-01-21-sunshine-radio-herefordshire-little-progress.txt"
MONITORING = "2023-herefordshire-council-third-monitoring-visit.txt"


@dataclass(frozen=True)
class Row:
    source: str
    quotes: tuple[str, ...]
    sentence: str
    cites: tuple[int, ...]
    supported: bool
    kind: str  # supported, title, copied, unsupported, number, organisation, negation, judgement, union, citation


JUDGEMENT = (
    "Following an inspection of Herefordshire Council's children's services department, the inspectorate gave a "
    '"requires improvement" overall judgment, but rated the leadership and management of the service as "inadequate".'
)
SUPERVISION = (
    '"Social workers do not receive regular supervision and, when it does take place, it does not provide the necessary '
    "support and direction to ensure that all children's cases progress without delay,\" the inspection report states."
)
NO_HARM = (
    "They found no evidence of children being at risk of immediate harm and that the vast majority of children in care "
    "live in good placements that improve their outcomes."
)
FAILED_2014 = (
    "Ofsted said the service's leadership had failed to address many of the problems its inspectors found during their "
    "last visit to Herefordshire in 2014."
)
INADEQUATE_21 = (
    "In the third Social Care Annual Report, published on Tuesday, the inspectorate found that 21 children’s services "
    "departments – one quarter of those inspected – were rated ‘inadequate’, while a further 43 required improvement."
)
OUTSTANDING = (
    "The London boroughs of Kensington and Chelsea, and Westminster, received ‘outstanding’ ratings, the first time under "
    "the current Ofsted inspection regime."
)
NOT_SIZE = "The watchdog said poor performance was not a function of size, deprivation or funding."
LITTLE_PROGRESS = (
    "Government inspectors say Herefordshire Council has made little progress in improving their children’s services."
)
SEVENTY_FIVE = (
    "But they say care plans, reports and assessments lack written detail, planning for children with complex needs is "
    "not sufficiently well considered and that more than 75 per cent of children in care have experienced changes of "
    "social worker in the last year."
)
STABLE = "Their letter says the ‘vast majority of children live in stable placements’, most children in care make progress with their physical health and education and most disabled children in care are placed with carers and in placements which meet their needs."

ROWS = [
    # Supported: paraphrases a model would write, citing the right quote.
    Row(
        DRIFT,
        (JUDGEMENT,),
        "Ofsted judged Herefordshire Council's children's services as requiring improvement overall, but rated leadership and management inadequate.",
        (1,),
        True,
        "supported",
    ),
    Row(
        DRIFT,
        (SUPERVISION,),
        "Social workers do not receive regular supervision, and the supervision they get does not provide the support and direction children's cases need.",
        (1,),
        True,
        "supported",
    ),
    Row(
        DRIFT,
        (NO_HARM,),
        "Inspectors found no evidence that children were at risk of immediate harm.",
        (1,),
        True,
        "supported",
    ),
    Row(
        DRIFT,
        (FAILED_2014,),
        "The service's leadership had failed to address many problems found at the last inspection in 2014.",
        (1,),
        True,
        "supported",
    ),
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "The annual report found 21 children's services departments rated inadequate and a further 43 requiring improvement.",
        (1,),
        True,
        "supported",
    ),
    Row(
        ANNUAL,
        (OUTSTANDING,),
        "Kensington and Chelsea, and Westminster, were rated outstanding for the first time under the current inspection regime.",
        (1,),
        True,
        "supported",
    ),
    Row(
        ANNUAL,
        (NOT_SIZE,),
        "Ofsted said poor performance was not a function of size, deprivation or funding.",
        (1,),
        True,
        "supported",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Inspectors said Herefordshire Council had made little progress in improving its children's services.",
        (1,),
        True,
        "supported",
    ),
    Row(
        MONITORING,
        (SEVENTY_FIVE,),
        "More than 75 per cent of children in care had a change of social worker in the last year.",
        (1,),
        True,
        "supported",
    ),
    Row(
        DRIFT,
        (JUDGEMENT,),
        "Overall, the inspectorate judged the services as requiring improvement, with leadership and management rated inadequate.",
        (1,),
        True,
        "supported",
    ),
    Row(
        MONITORING,
        (STABLE, SEVENTY_FIVE),
        "Most children live in stable placements, but more than 75 per cent of children in care have experienced changes of social worker.",
        (1, 2),
        True,
        "supported",
    ),
    # Unsupported: on the topic, but the quote does not say it.
    Row(
        DRIFT,
        (JUDGEMENT,),
        "The council has since appointed a new director to lead the improvement of children's services.",
        (1,),
        False,
        "unsupported",
    ),
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "Funding cuts were the main reason departments were rated inadequate.",
        (1,),
        False,
        "unsupported",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Parents have complained to the council about the long waiting lists for support.",
        (1,),
        False,
        "unsupported",
    ),
    Row(
        MONITORING,
        (STABLE,),
        "Social workers in Herefordshire have large caseloads and high turnover.",
        (1,),
        False,
        "unsupported",
    ),
    # A number the quote does not give.
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "The annual report found 31 children's services departments rated inadequate.",
        (1,),
        False,
        "number",
    ),
    Row(ANNUAL, (INADEQUATE_21,), "A further 34 departments required improvement.", (1,), False, "number"),
    Row(
        DRIFT,
        (FAILED_2014,),
        "The leadership had failed to address problems inspectors found during their last visit in 2016.",
        (1,),
        False,
        "number",
    ),
    Row(
        MONITORING,
        (SEVENTY_FIVE,),
        "More than 57 per cent of children in care have experienced changes of social worker in the last year.",
        (1,),
        False,
        "number",
    ),
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "The report found that three quarters of the departments inspected were rated inadequate.",
        (1,),
        False,
        "number",
    ),
    # Another organisation named.
    Row(
        DRIFT,
        (JUDGEMENT,),
        "Ofsted rated the leadership and management of Shropshire Council's children's services as inadequate.",
        (1,),
        False,
        "organisation",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Worcestershire County Council has made little progress in improving its children's services.",
        (1,),
        False,
        "organisation",
    ),
    Row(
        ANNUAL,
        (OUTSTANDING,),
        "The London boroughs of Camden and Islington received outstanding ratings.",
        (1,),
        False,
        "organisation",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Shropshire has made little progress in improving its children's services.",
        (1,),
        False,
        "organisation",
    ),
    Row(
        DRIFT,
        (NO_HARM,),
        "Ofsted found no evidence of children in Birmingham being at risk of immediate harm.",
        (1,),
        False,
        "organisation",
    ),
    # A negation dropped (or added): the same words, the opposite claim.
    Row(
        DRIFT,
        (SUPERVISION,),
        "Social workers receive regular supervision that provides the support and direction cases need.",
        (1,),
        False,
        "negation",
    ),
    Row(
        DRIFT,
        (NO_HARM,),
        "Inspectors found evidence of children being at risk of immediate harm.",
        (1,),
        False,
        "negation",
    ),
    Row(
        ANNUAL,
        (NOT_SIZE,),
        "The watchdog said poor performance was a function of size, deprivation and funding.",
        (1,),
        False,
        "negation",
    ),
    Row(
        DRIFT,
        (FAILED_2014,),
        "The leadership had addressed the problems its inspectors found during their last visit in 2014.",
        (1,),
        False,
        "negation",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Inspectors say Herefordshire Council has not made progress in improving its children's services.",
        (1,),
        False,
        "negation",
    ),
    # A sentence repeating its document's title, negation and all ("is failing children"): the title is the document's.
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "Ofsted finds weak leadership is failing children in social care.",
        (1,),
        True,
        "title",
    ),
    # A short phrase copied from a quote: every content word is the quote's, however unlike the whole quote it reads.
    Row(DRIFT, (JUDGEMENT,), "Leadership and management of the service were inadequate.", (1,), True, "copied"),
    Row(DRIFT, (FAILED_2014,), "Inspectors last visited Herefordshire in 2014.", (1,), True, "copied"),
    # A grade or evaluation the quote does not give, or gives to something else.
    Row(DRIFT, (JUDGEMENT,), "The overall judgment was inadequate.", (1,), False, "judgement"),
    Row(
        DRIFT,
        (JUDGEMENT,),
        "Ofsted rated Herefordshire Council's children's services outstanding overall.",
        (1,),
        False,
        "judgement",
    ),
    Row(
        RADIO,
        (LITTLE_PROGRESS,),
        "Government inspectors say Herefordshire Council has made good progress in improving its children's services.",
        (1,),
        False,
        "judgement",
    ),
    Row(
        ANNUAL,
        (NOT_SIZE,),
        "The watchdog said strong performance was not a function of size, deprivation or funding.",
        (1,),
        False,
        "judgement",
    ),
    Row(
        ANNUAL,
        (INADEQUATE_21,),
        "21 children's services departments required improvement, while a further 43 were rated inadequate.",
        (1,),
        False,
        "judgement",
    ),
    Row(
        MONITORING,
        (STABLE,),
        "Most children in care make strong progress with their physical health and education.",
        (1,),
        False,
        "judgement",
    ),
    Row(
        MONITORING, (SEVENTY_FIVE,), "Planning for children with complex needs is effective.", (1,), False, "judgement"
    ),
    # Words from two quotes in one claim: neither quote says it, and a second citation lends no authority.
    Row(
        ANNUAL, (OUTSTANDING, INADEQUATE_21), "21 London boroughs received outstanding ratings.", (1, 2), False, "union"
    ),
    Row(
        DRIFT,
        (JUDGEMENT, FAILED_2014),
        "Ofsted gave Herefordshire a requires improvement judgment in 2014.",
        (1, 2),
        False,
        "union",
    ),
    # Citations that do not hold: none, or a number that is not a quote.
    Row(
        DRIFT,
        (NO_HARM,),
        "Inspectors found no evidence of children being at risk of immediate harm.",
        (),
        False,
        "citation",
    ),
    Row(
        DRIFT,
        (NO_HARM,),
        "Inspectors found no evidence of children being at risk of immediate harm.",
        (3,),
        False,
        "citation",
    ),
]


def locate(text: str, quote: str) -> tuple[int, int]:
    """The span of ``quote`` in ``text``, any run of blanks (the corpus has no-break spaces) matching any other."""
    import re

    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    match = re.search(pattern, text)
    if match is None:
        raise ValueError(f"quote not in the text: {quote[:60]}")
    return match.span()


# Rows over a real Ofsted inspection report (../shared/eval/dev-real), to check the thresholds hold on report prose.
YORK = "ofsted-ilacs-york-2025-04-15.pdf"
YOUNG_CARERS = (
    "Young carers who are open for child-in-need and child protection planning do not currently benefit from accessing "
    "this service."
)
HOMELESS = "Children aged 16 and 17 years old who present as homeless receive a very strong and robust offer that meets their needs."
SINCE_2022 = (
    "Since the last ILACS inspection in 2022, there has been a change in the senior leadership team, including the "
    "Corporate Director."
)
IDENTITY = (
    "The sections relating to children’s identity did not always address the uniqueness of being a disabled child and "
    "what this means for them and their needs."
)

REPORT_ROWS = [
    Row(
        YORK,
        (YOUNG_CARERS,),
        "Young carers open for child-in-need and child protection planning do not currently benefit from this service.",
        (1,),
        True,
        "supported",
    ),
    Row(
        YORK,
        (HOMELESS,),
        "Homeless children aged 16 and 17 receive a strong and robust offer that meets their needs.",
        (1,),
        True,
        "supported",
    ),
    Row(
        YORK,
        (SINCE_2022,),
        "Since the last ILACS inspection in 2022, the senior leadership team has changed, including the Corporate Director.",
        (1,),
        True,
        "supported",
    ),
    Row(
        YORK,
        (IDENTITY,),
        "Sections on identity did not always address the uniqueness of being a disabled child.",
        (1,),
        True,
        "supported",
    ),
    Row(
        YORK,
        (HOMELESS,),
        "Homeless 16 and 17 year olds wait many months for suitable housing.",
        (1,),
        False,
        "unsupported",
    ),
    Row(
        YORK,
        (HOMELESS,),
        "Homeless children aged 14 and 15 receive a strong offer that meets their needs.",
        (1,),
        False,
        "number",
    ),
    Row(
        YORK,
        (SINCE_2022,),
        "Since the last inspection in 2019, the senior leadership team has changed.",
        (1,),
        False,
        "number",
    ),
    Row(
        YORK,
        (HOMELESS,),
        "In Leeds, homeless children aged 16 and 17 receive a very strong offer.",
        (1,),
        False,
        "organisation",
    ),
    Row(
        YORK,
        (YOUNG_CARERS,),
        "Young carers open for child protection planning currently benefit from accessing this service.",
        (1,),
        False,
        "negation",
    ),
    Row(
        YORK,
        (IDENTITY,),
        "Sections on children's identity always addressed the uniqueness of being a disabled child.",
        (1,),
        False,
        "negation",
    ),
    Row(YORK, (HOMELESS,), "Homeless children aged 16 and 17 receive an inadequate offer.", (1,), False, "judgement"),
]
