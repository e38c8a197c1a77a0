from demo_app import quoted, render


def test_quotes_spaces():
    assert quoted("https://example.org/a b") == "https://example.org/a%20b"


def test_render_keeps_text():
    assert render("hello") == "hello\n"
