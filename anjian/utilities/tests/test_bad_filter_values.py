"""Issue 10, item 2: every filter validates its value and answers 400 in words (never a 500,
never a file or a list of other rows than asked for) -- pages, exports and API collections alike."""

import pytest

HUGE = "99999999999999999999"

PAGES = [  # (address, what the answer says)
    ("/hazards/?year=99999", "2999"), (f"/hazards/?enterprise={HUGE}", "9223372036854775807"),
    ("/accidents/?year=99999", "2999"),
    ("/hazards/export.xlsx?year=99999", "导出未完成"), ("/accidents/export/accidents.xlsx?year=99999", "导出未完成"),
    (f"/targets/rows/?code=hazards.rectification_rate&year=2017&department={HUGE}", "部门"),
    ("/targets/rows/?code=hazards.rectification_rate&year=99999", "年"),
]
API = [
    "/api/v1/hazards/?year=99999", f"/api/v1/hazards/?enterprise={HUGE}", "/api/v1/accidents/?year=99999",
    "/api/v1/hazard-reports/?enterprise=2.7e32", "/api/v1/hazards/?page_size=-1",
    "/api/v1/enterprises/?page_size=0", "/api/v1/enterprises/?page_size=abc",
]


def body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "words"), PAGES)
def test_a_bad_filter_on_a_page_or_export_is_a_400_in_words(client_for, url, words):
    response = client_for("district").get(url)
    assert response.status_code == 400, url
    assert response["Content-Type"].startswith("text/html")  # a page in words, never a file
    assert words in body(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", API)
def test_a_bad_filter_in_the_api_is_a_400_naming_it(api_for, url):
    response = api_for("district").get(url)
    assert response.status_code == 400, url
    name = url.split("?")[1].split("=")[0]
    assert name in response.json(), response.json()


@pytest.mark.django_db
def test_a_page_size_is_capped_not_refused_when_large(api_for):
    response = api_for("district").get("/api/v1/enterprises/?page_size=100000")
    assert response.status_code == 200 and len(response.json()["results"]) == 2


@pytest.mark.django_db
def test_the_htmx_partial_shows_the_form_error_with_200(client_for):
    response = client_for("district").get("/hazards/?year=99999", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "2999" in response.content.decode()
