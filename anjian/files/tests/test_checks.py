"""The checker itself: every bad file refused with a sentence and a reason, good files accepted."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from anjian.files import checks
from anjian.files import testing as t


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_refusals_speak_chinese_in_the_chinese_ui():
    with translation.override("zh-hans"), pytest.raises(checks.UploadRefused) as refused:
        checks.check_upload(t.bomb_png())
    assert refused.value.messages == ["“bomb.png”声称有 20000×20000 像素；图片最多 50 百万像素（解压炸弹正是以此耗尽服务器内存）。"]


@pytest.mark.parametrize(("make", "code", "words"), [
    (t.bomb_png, "bomb", "20000×20000"),
    (t.gif_html_polyglot, "polyglot", "web page"),
    (t.html_as_jpg, "polyglot", "web page"),
    (t.truncated_jpeg, "damaged", "incomplete"),
    (t.fake_pdf, "bad_pdf", "not a complete PDF"),
    (t.scripted_pdf, "active_pdf", "scripts"),
    (t.empty, "empty", "empty"),
    (lambda: SimpleUploadedFile("notes.jpg", b"just some text, no picture" * 10), "kind", "whatever its name"),
], ids=["bomb", "gif-html", "html-as-jpg", "truncated-jpeg", "fake-pdf", "scripted-pdf", "empty", "text-as-jpg"])
def test_it_refuses_a_bad_file_in_words(make, code, words):
    upload = make()
    with pytest.raises(checks.UploadRefused) as refused:
        checks.check_upload(upload, checks.DOCUMENTS)
    assert refused.value.code == code
    message = " ".join(refused.value.messages)
    assert words in message and upload.name in message
    assert checks.http_status(refused.value) == 400


def test_the_bomb_is_tiny_and_refused_before_decoding():
    bomb = t.bomb_png()
    assert len(bomb.read()) < 100
    with pytest.raises(checks.UploadRefused, match="decompression"):
        checks.check_upload(bomb)


def test_a_picture_over_the_pixel_limit_below_pillows_own_is_refused(settings):
    settings.ANJIAN_UPLOAD_MAX_PIXELS = 1000
    with pytest.raises(checks.UploadRefused) as refused:
        checks.check_upload(t.jpeg(size=(40, 30)))
    assert refused.value.code == "bomb" and "40×30" in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_413(settings):
    settings.ANJIAN_UPLOAD_MAX_BYTES = 2000
    with pytest.raises(checks.UploadRefused) as refused:
        checks.check_upload(t.oversize_jpeg(2000))
    assert refused.value.code == "too_large" and checks.http_status(refused.value) == 413
    assert "huge.jpg" in refused.value.messages[0]


@pytest.mark.parametrize(("make", "content_type"), [
    (t.jpeg, checks.JPEG), (t.png, checks.PNG), (t.pdf, checks.PDF)])
def test_it_accepts_good_files_and_names_their_type(make, content_type):
    upload = make()
    checked = checks.check_upload(upload, checks.DOCUMENTS)
    assert checked.content_type == content_type and checked.size == upload.size
    assert upload.tell() == 0


def test_a_pdf_is_not_a_photo():
    with pytest.raises(checks.UploadRefused, match="not a picture"):
        checks.check_upload(t.pdf("scan.jpg"), checks.PHOTOS)


def test_word_documents_by_content():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body/></w:document>")
    assert checks.check_upload(SimpleUploadedFile("r.docx", buf.getvalue()), checks.REPORTS).content_type == checks.DOCX
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("evil.txt", "x")
    with pytest.raises(checks.UploadRefused, match="not a Word document"):
        checks.check_upload(SimpleUploadedFile("r.docx", other.getvalue()), checks.REPORTS)


def test_a_real_photo_is_not_mistaken_for_a_page():
    """Noise-filled JPEGs of a few hundred kilobytes: no page marker appears by chance."""
    from PIL import Image

    for seed in range(5):
        buf = io.BytesIO()
        Image.effect_noise((600, 400), 40 + seed * 20).convert("RGB").save(buf, "JPEG", quality=90)
        checks.check_upload(SimpleUploadedFile(f"n{seed}.jpg", buf.getvalue()))
