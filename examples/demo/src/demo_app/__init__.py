"""demo-app: quote a URL and print it highlighted."""

import click
from pygments import highlight
from pygments.formatters import NullFormatter
from pygments.lexers import TextLexer
from requests.utils import requote_uri


def quoted(url: str) -> str:
    return requote_uri(url)


def render(text: str) -> str:
    return highlight(text, TextLexer(), NullFormatter())


@click.command()
@click.argument("url")
def main(url: str) -> None:
    click.echo(render(quoted(url)), nl=False)
