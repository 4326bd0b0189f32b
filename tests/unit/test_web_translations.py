"""Every string of the web pages has its Chinese translation, and the committed .mo files match the .po files."""

from devtools import translations


def test_every_page_string_is_translated_and_the_compiled_catalogues_are_fresh(capsys):
    assert translations.main(["--check"]) == 0, capsys.readouterr().err
