"""Widely used PyPI names, so a typo in `uvmgr deps add` gets a suggestion."""

from uvmgr.tools.popular_names import TOP_NAMES

_NAMES = """
aiohttp alembic anyio attrs beautifulsoup4 black boto3 botocore celery certifi cffi
charset-normalizer click coverage cryptography django django-rest-framework djangorestframework
fastapi flask gunicorn h11 httpcore httpx hypothesis idna jinja2 jsonschema lxml markdown
markupsafe matplotlib mypy numpy openai packaging pandas pillow pip platformdirs pluggy
psycopg psycopg2 psycopg2-binary pyarrow pydantic pydantic-settings pygments pyjwt pytest
pytest-asyncio pytest-cov pytest-mock python-dateutil python-dotenv pytz pyyaml redis
requests rich ruff scikit-learn scipy setuptools six sqlalchemy starlette tenacity toml
tomli tomlkit tqdm typer typing-extensions urllib3 uvicorn virtualenv websockets wheel
werkzeug yarl zipp orjson polars sentry-sdk structlog loguru marshmallow paramiko
"""
POPULAR_PACKAGES = frozenset(_NAMES.split()) | TOP_NAMES
