from qa.ingest.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_splits_on_terminal_punctuation_and_keeps_exact_spans():
    text = "The council met. It agreed the plan! Was it enough? Nobody knows."
    assert texts(text) == ["The council met.", "It agreed the plan!", "Was it enough?", "Nobody knows."]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Mr. Smith and Dr. Jones met J. K. Rowling at St. Mary's. Then they left."
    assert texts(text) == ["Mr. Smith and Dr. Jones met J. K. Rowling at St. Mary's.", "Then they left."]


def test_closing_quotes_stay_with_their_sentence():
    text = "He said: “Supervision is weak.” The council agreed."
    assert texts(text) == ["He said: “Supervision is weak.”", "The council agreed."]


def test_lower_case_continuation_is_not_a_boundary():
    assert texts("Figures rose 2.5 per cent. in May, e.g. in care.") == [
        "Figures rose 2.5 per cent. in May, e.g. in care."
    ]


def test_line_breaks_always_end_a_sentence_and_bullets_are_trimmed():
    text = "A heading without a stop\n•   First point here.\n\n  Second paragraph."
    assert texts(text) == ["A heading without a stop", "First point here.", "Second paragraph."]


def test_spans_within_a_range_are_absolute():
    text = "Skip this. Keep this one. And this."
    start = text.index("Keep")
    spans = split_sentences(text, start, len(text))
    assert [text[s:e] for s, e in spans] == ["Keep this one.", "And this."]
    assert spans[0][0] == start


def test_no_break_space_after_a_full_stop_still_ends_the_sentence():
    assert texts("It ended.\xa0‘Good’ ratings followed.") == ["It ended.", "‘Good’ ratings followed."]


def test_dash_and_star_list_markers_are_not_part_of_the_sentence():
    assert texts("- the timeliness of meetings\n* another item\nA well-known fact - really.") == [
        "the timeliness of meetings",
        "another item",
        "A well-known fact - really.",
    ]


def test_glyph_bullets_are_not_part_of_the_sentence():
    text = "\u25fc The quality of plans is good.\n\uf0b7 Supervision is regular."
    assert [text[s:e] for s, e in split_sentences(text)] == ["The quality of plans is good.", "Supervision is regular."]
