"""Demo data for a laptop or a training session, kept apart from the product apps.

Everything here depends on the apps it fills (accounts, courses, cases, quizzes, certification)
and nothing in them depends on this app: remove it from ``INSTALLED_APPS`` and the platform
runs without demo data (``manage.py serve --demo-data`` then says there is none to load).

- ``accounts``: the demo accounts, in one list (the start banner and the README's table);
- ``courses``, ``cases`` (with ``loops``: generated DICOM cine loops, and ``review``: a case
  waiting for review across the network), ``quizzes``, ``certification``: one loader per
  domain, each with its authored texts in ``*_content`` and their Chinese in ``*_content_zh``;
- ``loaders``: the loaders after the courses, in the order they depend on each other;
- ``allowed``: the refusal in production, checked by every loader.

Commands: ``load_demo_data`` (everything), ``load_demo_cases`` (the cases alone) and
``demo_accounts`` (the accounts present, as the start banner prints them).
"""
