from django.test import Client


def test_the_ui_is_chinese_even_for_an_english_browser(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(world.users["district"])
    response = client.get("/core/notifications/")
    assert response["Content-Language"] == "zh-hans"
    assert "<html lang=\"zh-hans\">" in response.content.decode()


def test_the_language_switch_gives_english(world):
    client = Client()
    client.force_login(world.users["district"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/core/notifications/")
    assert response["Content-Language"] == "en"
    assert "Inbox" in response.content.decode()
