"""Reading a spreadsheet into rows: the template's own example row, left unchanged, is not
imported as somebody's record; a row that only looks like it is."""
from services.gateway import imports


def template_cells(kind, fmt):
    body, _ = imports.template(kind, fmt)
    return imports.read(f"名册.{fmt}", body)


def test_the_unchanged_example_row_of_either_template_is_skipped():
    for fmt in ("csv", "xlsx"):
        cells = template_cells("volunteers", fmt)
        real = ["胡明英", "天宝社区", "13900001111", "341181196203150027", "", "", "", ""]
        rows, numbers, errors = imports.to_rows("volunteers", [*cells, real])
        assert [r["name"] for r in rows] == ["胡明英"] and numbers == [3] and errors == {}, fmt


def test_an_example_row_with_one_value_changed_is_a_record():
    titles, example = template_cells("employers", "csv")[:2]
    changed = list(example)
    changed[titles.index("单位名称*")] = "聚宝路便民理发店"
    rows, numbers, _ = imports.to_rows("employers", [titles, changed])
    assert [r["name"] for r in rows] == ["聚宝路便民理发店"] and numbers == [2]


def test_a_file_of_its_own_columns_is_taken_as_it_is_even_with_the_example_values():
    titles, example = template_cells("employers", "csv")[:2]
    kept = [i for i, title in enumerate(titles) if title.endswith("*")]
    rows, _, _ = imports.to_rows("employers", [[titles[i] for i in kept], [example[i] for i in kept]])
    assert [r["name"] for r in rows] == ["聚宝路毛绒玩具加工点"]
