"""Search terms (shared.search): what a record is found by, and what a search asks for."""
from hypothesis import given, strategies as st

from shared.search import query_terms, search_criteria, terms

TEXT = "新宇巷 12 号门口路灯不亮,12345 工单 12345-20261206-0088"


def test_chinese_is_found_by_any_two_consecutive_characters_and_numbers_by_their_parts():
    indexed = set(terms("WO202612060001", TEXT))
    for q in ("新宇巷", "路灯", "路灯不亮", "12345-20261206-0088", "20261206", "0088",
              "wo202612060001", "WO202612060001"):
        assert set(query_terms(q)) <= indexed, q
    assert not set(query_terms("灯泡")) <= indexed


def test_a_search_with_nothing_to_find_is_a_field_error():
    import pytest
    from shared.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        search_criteria(" ,。- ")
    assert "q" in refused.value.fields


@given(st.text(alphabet="新宇巷路灯不亮井盖破损abcXYZ0123- ,", min_size=1, max_size=40))
def test_every_piece_of_a_text_finds_it(text):
    indexed = set(terms(text))
    for start in range(len(text)):
        for end in range(start + 2, min(len(text), start + 6) + 1):
            piece = text[start:end]
            try:
                wanted = query_terms(piece)
            except Exception:  # nothing searchable in the piece
                continue
            # Runs cut in the middle of a Latin word are not indexed; whole runs and any
            # Chinese pair are.
            if all(not c.isascii() or not c.isalnum() for c in piece):
                assert set(wanted) <= indexed, piece
