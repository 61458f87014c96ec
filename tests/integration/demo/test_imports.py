"""Importing spreadsheets through the gateway: templates, a clean file imported whole, a file
with bad rows refused whole with a Chinese report by spreadsheet row and column."""
import base64
import io

from openpyxl import load_workbook

from tests.integration.volunteer.conftest import id_number


def upload(client, kind, filename, body, **extra):
    return client.post(f"/api/imports/{kind}", json={
        "filename": filename, "content": base64.b64encode(body).decode(), **extra})


def filled_template(client, kind, rows):
    response = client.get(f"/api/imports/{kind}/template", params={"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)  # the example
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_templates_name_their_columns_in_chinese(admin_client):
    response = admin_client.get("/api/imports/postings/template", params={"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    titles = [c.value for c in book.worksheets[0][1]]
    assert titles[:3] == ["用工单位*", "社区", "岗位名称*"]
    assert book.sheetnames[1] == "填写说明"
    csv = admin_client.get("/api/imports/volunteers/template", params={"format": "csv"})
    assert csv.content.startswith("\ufeff".encode()) and "身份证号码*" in csv.text
    assert admin_client.get("/api/imports/dogs/template").status_code == 404


def test_volunteers_employers_and_postings_import_from_spreadsheets(admin_client):
    people = filled_template(admin_client, "volunteers", [
        ["陈晓", "浚河社区", "13900000001", id_number(1), None, "医疗卫生、应急救护", "周六上午", None],
        ["王芳", "天宝社区", 13900000002, id_number(2), None, None, None, "退休教师"]])
    checked = upload(admin_client, "volunteers", "志愿者.xlsx", people, dry_run=True)
    assert checked.status_code == 200 and checked.json()["created"] == 0
    assert "校验通过" in checked.json()["message"]
    done = upload(admin_client, "volunteers", "志愿者.xlsx", people)
    assert done.status_code == 200, done.text
    assert done.json()["created"] == 2 and done.json()["message"] == "已导入 2 条志愿者记录"
    listed = admin_client.get("/api/volunteers").json()
    assert {v["name"] for v in listed["items"]} == {"陈晓", "王芳"}

    employers = ("单位名称,社区,地址,行业,规模,联系人,联系电话\n"
                 "聚宝路毛绒玩具加工点,天宝社区,聚宝路12号,来料加工/手工,微型,蒋秀兰,13505500000\n")
    assert upload(admin_client, "employers", "单位.csv",
                  employers.encode("gb18030")).json()["created"] == 1
    postings = filled_template(admin_client, "postings", [
        ["聚宝路毛绒玩具加工点", None, "毛绒玩具手工缝制", "计件,可带回家做", "兼职", 3,
         "2099-03-31", "是", None, 1800, 2200, "是", "手工缝纫", None, None, None]])
    created = upload(admin_client, "postings", "岗位.xlsx", postings)
    assert created.status_code == 200, created.text
    posting = admin_client.get("/api/job-postings").json()["items"][0]
    assert posting["hours_flexible"] and posting["salary"]["piece_rate"]


def test_a_file_with_bad_rows_imports_nothing_and_says_why_by_row(admin_client):
    people = filled_template(admin_client, "volunteers", [
        ["陈晓", "浚河社区", "13900000001", id_number(1), None, None, None, None],
        ["李四", "浚河社区", "12345", "341181198001010010", None, "飞行", None, None],
        ["王芳", "浚河社区", "13900000003", id_number(1), None, None, "周八上午", None]])
    refused = upload(admin_client, "volunteers", "志愿者.xlsx", people)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "IMPORT_REJECTED" and "未导入任何记录" in body["message"]
    rows = body["fields"]["rows"]
    assert set(rows) == {"3", "4"}                      # spreadsheet rows, title in row 1
    assert set(rows["3"]) == {"手机号码", "身份证号码", "技能"}
    assert "飞行" in rows["3"]["技能"][0]
    assert set(rows["4"]) == {"身份证号码", "可服务时间"}
    assert "第 1 条" in rows["4"]["身份证号码"][0]
    assert admin_client.get("/api/volunteers").json()["total"] == 0
    wrong = upload(admin_client, "volunteers", "志愿者.xlsx", b"\x00 not a workbook")
    assert wrong.status_code == 422 and wrong.json()["code"] == "IMPORT_FILE_INVALID"


def test_community_staff_import_only_their_community(admin_client, user_client):
    staff = user_client("community_staff", community="天宝社区")
    people = filled_template(admin_client, "volunteers", [
        ["陈晓", "浚河社区", "13900000001", id_number(1), None, None, None, None]])
    assert upload(staff, "volunteers", "a.xlsx", people,
                  community="浚河社区").status_code == 403
    refused = upload(staff, "volunteers", "a.xlsx", people)
    assert refused.status_code == 422 and "社区" in refused.json()["fields"]["rows"]["2"]
    viewer = user_client("viewer", whole_street=True)
    assert viewer.get("/api/imports/volunteers/template").status_code == 403
    assert admin_client.get("/api/volunteers").json()["total"] == 0
