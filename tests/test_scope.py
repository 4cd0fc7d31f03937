"""Names in a question restrict the search to the documents about them."""

from __future__ import annotations

from qa.answer.scope import documents_writing, names_in, question_scope
from qa.index.builds import names_of
from qa.types import Document


def doc(source: str, opening: str, title: str = "") -> Document:
    return Document(
        source=source,
        text=opening + "\nBody text about fostering, Mockingbird hubs and Ofsted.",
        sha256=source,
        title=title,
    )


DOCS = {
    "a.pdf": doc("a.pdf", "Inspection of Bournemouth, Christchurch and Poole local authority children's services"),
    "b.pdf": doc("b.pdf", "Inspection of Gateshead local authority children's services"),
    "c.pdf": doc("c.pdf", "Inspection of City of York Council local authority children's services"),
}
VOCAB = {"foster", "mockingbird", "hub", "ofst", "bodi", "text", "2019"}


def scope(question: str):
    return question_scope(question, names_of(DOCS, 1500), lambda term: term in VOCAB)


def test_names_are_capitalised_runs_without_the_question_word():
    assert names_in("What did Ofsted say about Bournemouth, Christchurch and Poole in December 2021?") == [
        "Ofsted",
        "Bournemouth Christchurch and Poole",
    ]
    assert names_in("How many HMOs are there in BCP?") == ["HMOs", "BCP"]
    assert names_in("Gateshead's family hubs?") == ["Gateshead"]


def test_a_named_place_restricts_to_its_documents():
    assert scope("How many family hubs are there in Gateshead?").sources == {"b.pdf"}
    assert scope("What did Ofsted ask City of York Council to improve?").sources == {"c.pdf"}
    assert scope("What changed in Bournemouth, Christchurch and Poole?").sources == {"a.pdf"}
    assert scope("Compare Gateshead and York").sources == {"b.pdf", "c.pdf"}


def test_an_acronym_matches_the_initials_of_a_name_the_document_writes():
    writes = dict(DOCS, **{"a.pdf": doc("a.pdf", DOCS["a.pdf"].text.replace("Body text", "BCP body text"))})
    assert question_scope("What did inspectors find in BCP?", names_of(writes, 1500), lambda t: t in VOCAB).sources == {
        "a.pdf"
    }
    # Letters that only line up with a title's capitals, in a document that never writes them, name nothing.
    assert (
        question_scope("What did inspectors find in BCP?", names_of(DOCS, 1500), lambda t: t in VOCAB).sources is None
    )


def test_a_technical_identifier_is_a_topic_not_a_scope():
    docs = dict(DOCS, **{"d.pdf": doc("d.pdf", "IgG responses in Gateshead cohorts")})
    result = question_scope("Vaccination raises IgG levels.", names_of(docs, 1500), lambda t: t in VOCAB | {"igg"})
    assert result.sources is None and result.topics == ("IgG",)


def test_topics_and_names_every_document_shares_restrict_nothing():
    assert scope("Which councils use the Mockingbird model?").sources is None
    assert scope("What did inspectors say about supervision?").sources is None


def test_a_name_no_document_mentions_is_reported():
    result = scope("How many foster carers does Northshire have?")
    assert result.sources is None and result.missing == ("Northshire",)
    both = scope("How do Gateshead and Northshire support foster carers?")
    assert both.sources == {"b.pdf"} and both.missing == ("Northshire",)


def test_a_year_no_document_mentions_is_reported():
    assert scope("What did Gateshead do in 2031?").missing == ("2031",)
    assert scope("What did Gateshead do in 2031?").sources == {"b.pdf"}
    dated = dict(DOCS, **{"d.pdf": Document(source="d.pdf", text="Inspection of Leeds", sha256="d", date="2031-05")})
    assert question_scope("What happened in 2031?", names_of(dated, 1500), lambda term: False).missing == ()
    both = scope("What changed for Mockingbird hubs between 2019 and 2031?")
    assert both.missing == ("2031",) and not both.nothing_named_is_known
    assert scope("How many foster carers does Northshire have?").nothing_named_is_known


def test_an_acronym_that_is_only_a_word_of_a_title_names_a_topic():
    docs = dict(DOCS, **{"d.pdf": doc("d.pdf", "C-reactive protein (CRP) after bypass surgery in the UK")})
    assert (
        question_scope("Is CRP predictive of mortality in the UK?", names_of(docs, 1500), lambda term: True).sources
        is None
    )


def test_documents_that_write_a_name_in_their_body_are_mentioned_but_not_about_it():
    docs = dict(DOCS)
    docs["d.pdf"] = Document(
        source="d.pdf",
        text="Inspection of Leeds children's services\nLeeds works with Gateshead on adoption.",
        sha256="d",
        title="",
    )
    found = question_scope("Adoption in Gateshead", names_of(docs, 45), lambda term: term in VOCAB)
    assert found.sources == {"b.pdf"} and documents_writing(found) == {"b.pdf", "d.pdf"}


def test_a_statement_is_checked_against_every_document_but_a_question_against_those_about_its_name(
    tmp_path, fake_embedder
):
    from conftest import make_settings

    from qa.assistant import Assistant

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "about.txt").write_text(
        "Arabidopsis root growth\n\nArabidopsis roots grow towards water in dry soil.\n", encoding="utf-8"
    )
    (corpus / "body.txt").write_text(
        "Vesicle trafficking in plant embryos\n\n"
        + "Membrane proteins reach the cell surface in vesicles that bud from internal compartments. " * 4
        + "\n\nPolar localization of PIN1 in the Arabidopsis embryo needs endocytosis.\n",
        encoding="utf-8",
    )
    # The same finding in a document that writes the plant's name another way (or not at all).
    (corpus / "unnamed.txt").write_text(
        "Auxin transport\n\nLocalization of PIN1 in the plant embryo requires endocytosis.\n", encoding="utf-8"
    )
    (corpus / "other.txt").write_text("Yeast budding\n\nYeast cells divide by budding.\n", encoding="utf-8")
    settings = make_settings(tmp_path, corpus).updated(answer__min_relevance=-1.0)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.ingest(progress=False)
    claim = assistant.ask("Localization of PIN1 in the Arabidopsis embryo requires endocytosis.")
    assert {"body.txt", "unnamed.txt"} <= {c.source for c in claim.citations}
    question = assistant.ask("What does the Arabidopsis research say about PIN1 localization in the embryo?")
    assert {c.source for c in question.citations} == {"about.txt"}


def test_a_name_every_report_about_the_other_writes_is_its_context_not_a_second_subject():
    # News about Ofsted opens with its name; Gateshead's and York's reports write it in their bodies.
    news = Document(
        source="n.txt", text="Ofsted annual report\nOfsted says leadership is weak in many councils.", sha256="n"
    )
    docs = dict(DOCS, **{"n.txt": news})
    assert question_scope(
        "What did Ofsted say about leadership in Gateshead?", names_of(docs, 45), lambda t: t in VOCAB
    ).sources == {"b.pdf"}
    assert question_scope(
        "What did Ofsted say about Gateshead and York?", names_of(docs, 45), lambda t: t in VOCAB
    ).sources == {"b.pdf", "c.pdf"}
    assert question_scope(
        "What did Ofsted say about leadership?", names_of(docs, 45), lambda t: t in VOCAB
    ).sources == {"n.txt"}
    assert question_scope(
        "What did Ofsted say about leadership in Gateshead?", names_of(docs, 45), lambda t: t in VOCAB
    ).named == ("Ofsted", "Gateshead")
    # A report that mentions another place does not make that place its context: names joined in the
    # question are each a subject, and a name the other's documents do not all write stays one.
    mentions = dict(
        docs, **{"b.pdf": doc("b.pdf", "Inspection of Gateshead children's services\nGateshead works with York.")}
    )
    assert question_scope("Compare Gateshead and York", names_of(mentions, 45), lambda t: t in VOCAB).sources == {
        "b.pdf",
        "c.pdf",
    }
    assert question_scope(
        "How does Gateshead compare with York?", names_of(mentions, 45), lambda t: t in VOCAB
    ).sources == {"b.pdf", "c.pdf"}


def _body_only_corpus(root):
    """Three reports about places in their titles, and a news item naming Eastmere only deep in its body."""
    corpus = root / "corpus"
    corpus.mkdir()
    for place in ("Northby", "Southby", "Westby"):
        (corpus / f"{place.lower()}.txt").write_text(
            f"Inspection of {place} children's services\n\n"
            f"Inspectors rated {place} children's services good overall. Leaders know their services well.\n",
            encoding="utf-8",
        )
    filler = "The council's cabinet met on Tuesday to discuss the budget for road maintenance and libraries. " * 6
    (corpus / "news.txt").write_text(
        "Council news roundup\n\n" + filler + "\n\nInspectors rated Eastmere children's services inadequate overall.\n",
        encoding="utf-8",
    )
    return corpus


def test_a_name_written_only_in_a_body_is_known_and_searched_as_a_topic(tmp_path, fake_embedder):
    from conftest import make_settings

    from qa.assistant import Assistant

    corpus = _body_only_corpus(tmp_path)
    settings = make_settings(tmp_path, corpus).updated(answer__min_relevance=-1.0)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.ingest(progress=False)
    answer = assistant.ask("How were Eastmere's children's services rated?")
    # Not said to be unmentioned, and not a scope: searched as a topic, its document's sentence comes first.
    assert answer.citations and answer.citations[0].source == "news.txt" and "Eastmere" in answer.citations[0].text
    assert "do not mention" not in (answer.notice or "")
    # The name index says where each document writes it: only the news item, in its body.
    from qa.ingest.names import BODY, TITLE

    names = assistant.index().names
    assert names.postings(["eastmer"]) == {"eastmer": {"news.txt": BODY}}
    assert names.postings(["northbi"])["northbi"]["northby.txt"] == TITLE


def test_a_name_in_a_title_outranks_the_same_name_in_another_documents_body():
    docs = dict(DOCS)
    docs["d.pdf"] = Document(
        source="d.pdf",
        text="Regional adoption agency annual report\n" + "Filler text. " * 40 + "Gateshead placed six children.",
        sha256="d",
    )
    scope = question_scope("How many children did Gateshead place?", names_of(docs, 300), lambda t: t in VOCAB)
    assert scope.sources == {"b.pdf"} and documents_writing(scope) == {"b.pdf", "d.pdf"}
    docs.pop(
        "b.pdf"
    )  # without a document about Gateshead, the name is a topic, searched everywhere: known, not missing
    scope = question_scope("How many children did Gateshead place?", names_of(docs, 300), lambda t: t in VOCAB)
    assert scope.sources is None and "Gateshead" in scope.topics and not scope.missing


def test_a_name_no_document_writes_is_not_reported_while_documents_are_being_indexed():
    scope = question_scope(
        "How many foster carers does Northshire have?", names_of(DOCS, 1500), lambda t: t in VOCAB, pending=True
    )
    assert scope.missing == () and scope.pending == ("Northshire",) and scope.nothing_named_is_known


def test_pending_documents_silence_the_not_mentioned_notice(tmp_path, fake_embedder):
    from conftest import make_settings

    from qa.assistant import Assistant

    assistant = Assistant(make_settings(tmp_path, _body_only_corpus(tmp_path)), embedder=fake_embedder)
    assistant.ingest(progress=False)
    assert "do not mention Harbourside" in assistant.ask("How was Harbourside rated?").notice
    assert "do not mention" not in (assistant.ask("How was Harbourside rated?", pending=True).notice or "")


def test_an_acronym_matches_documents_writing_its_expansion_where_a_document_gives_it():
    docs = {
        "a.txt": Document(
            source="a.txt", text="Annual report\nEastmere, Northby and Westby (ENW) partnership met.", sha256="a"
        ),
        "b.txt": Document(
            source="b.txt", text="Inspection of Eastmere, Northby and Westby\nServices are good.", sha256="b"
        ),
        "c.txt": Document(source="c.txt", text="Inspection of Southby\nServices are good.", sha256="c"),
    }
    names = names_of(docs, 300)
    assert "enw=eastmer northbi westbi" in names.keys
    assert question_scope("What did ENW agree?", names, lambda t: False).sources == {"a.txt", "b.txt"}
