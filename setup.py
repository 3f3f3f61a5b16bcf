"""For scrapyd-deploy, which builds its egg with `python setup.py bdist_egg`: everything
(packages, the .sql files, the `scrapy` settings entry point) is declared in pyproject.toml."""

from setuptools import setup

setup()
