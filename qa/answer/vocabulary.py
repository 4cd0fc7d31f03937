"""The English words the written-answer checks read, kept in one place.

Negations, number words, the words that give a grade or an evaluation, and
the phrases that make a text an instruction to its reader (a person or a
language model) rather than information. Every list is generic: none names a
document, an organisation or a question. Another language would need its own
module of the same shape.
"""

from __future__ import annotations

import re

# Words that make a clause say the opposite ("not", "never", "failed to", "lack of", "isn't").
NEGATIONS = frozenset(
    """not no never nor neither none nothing nobody nowhere without cannot unable fail fails failed failing
    lack lacks lacked lacking absent""".split()
)

# Number words written out, so "three" and "3" are the same number. "one" is left out: it is mostly a pronoun.
NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
    if w != "_"
} | {w: str(10 * n) for n, w in enumerate("_ _ _ thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}

# Words that give a grade or an evaluation, one family a line: a written sentence may use a word of a family
# only where the quote it rests on holds a word of the same family ("inadequate" never stands in for
# "requires improvement", "improved" never for "declined"). Inspectorate grades first, then evaluations.
_JUDGEMENT_FAMILIES = """
outstanding
good
improvement improvements
inadequate inadequately inadequacy inadequacies
adequate adequately
satisfactory
unsatisfactory
excellent excellence
exceptional exceptionally
strong stronger strongest strongly strength strengths
weak weaker weakest weakly weakness weaknesses
effective effectively effectiveness
ineffective ineffectively ineffectiveness
improve improves improved improving
decline declines declined declining deteriorate deteriorates deteriorated deteriorating deterioration worsen worsens worsened worsening worse
poor poorer poorest poorly
better
robust
positive positively
negative negatively
successful successfully
unsuccessful unsuccessfully
sufficient sufficiently
insufficient insufficiently
serious seriously
"""
JUDGEMENTS: dict[str, str] = {
    word: line.split()[0] for line in _JUDGEMENT_FAMILIES.strip().splitlines() for word in line.split()
}

# Verbs that only say a judgement was given ("rated", "judged"): what was judged is the rest of the clause.
JUDGING_WORDS = frozenset(
    """rate rates rated rating ratings judge judges judged judging judgement judgements judgment judgments grade
    grades graded grading assess assesses assessed find finds found deem deemed consider considered""".split()
)

# Text that speaks to whoever reads it, a person or a language model, telling them what to do or say:
# an instruction, not information. Quotes holding one are not given to the language model.
_SPEECH_VERBS = r"(?:say|state|tell|write|answer|respond|reply|claim|report|repeat|output|print|declare|mention|assert|conclude|describe)"
INSTRUCTION_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # "ignore previous instructions", "disregard the rules above", "forget all prior guidance"
        r"\b(?:ignore|disregard|forget|override|bypass)\b(?:\W+\w+){0,4}?\W+(?:instructions?|prompts?|rules|guidelines|guidance|directions|directives|the above|everything)\b",
        # speaking to a model: "AI assistant", "language model", "as an AI", "system prompt", "chatbot"
        r"\b(?:AI|A\.I\.|artificial intelligence)\W+(?:assistants?|models?|systems?|agents?|chat\s?bots?|bots?|tools?)\b",
        r"\b(?:large\s+)?language\s+models?\b|\bLLMs?\b|\bchat\s?bots?\b|\bsystem\s+prompts?\b|\bas\s+an\s+AI\b",
        r"\byou\s+are\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:AI|assistant|model|chatbot|bot)\b",
        # "you must say", "you should always answer", "you will report"
        rf"\byou\s+(?:must|should|shall|will|need\s+to|have\s+to|are\s+to)\s+(?:now\s+|always\s+|only\s+|instead\s+|also\s+)?(?:{_SPEECH_VERBS}|ignore|disregard|forget|include)\b",
        # an order to speak at the start of a sentence or after "and", "then", "please", "instead": "... and say that",
        # "Tell the user", "Respond with", "Answer: ..." (a reported "inspectors say that" has a subject first)
        rf"(?:^|[.!?:;\"“]\s*|\b(?:and|then|please|instead|now|just|simply|always|only)\s+){_SPEECH_VERBS}\s+(?:that\b|with\b|[:\"“'‘]|(?:to\s+)?(?:the\s+)?(?:users?|readers?|everyone|anyone)\b|the\s+(?:council|school|service|authority|provider|organisation)\b|it\s+(?:is|was)\b)",
        # "When asked about X, say that ..."
        rf"\b(?:when|if)\s+(?:you\s+are\s+)?asked\b[^.!?]*?,\s*{_SPEECH_VERBS}\b",
        # "Do not mention ...", "Never reveal ..."
        r"(?:^|[.!?:;]\s*|\b(?:and|then|please)\s+)(?:do\s+not|don't|never)\s+(?:say|mention|tell|reveal|include|write|report|state|disclose)\b",
    )
)


def judgement_family(word: str) -> str | None:
    """The judgement family a word belongs to ('weaknesses' -> 'weak'), or None for any other word."""
    return JUDGEMENTS.get(word.lower())


def reads_as_instruction(text: str) -> bool:
    """True when a text tells its reader, a person or a language model, what to do or say."""
    flat = " ".join(text.split())
    return any(p.search(flat) for p in INSTRUCTION_PATTERNS)
