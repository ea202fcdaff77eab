"""The WSGI entry point: Django, with the client's address behind trusted proxies (core.proxies)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
django_application = get_wsgi_application()

from commonweal.core.proxies import wsgi_behind_proxies  # noqa: E402 - needs the settings loaded above

application = wsgi_behind_proxies(django_application)
