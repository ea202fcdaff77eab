"""One structured log line per rejected request (status 4xx), with no personal data."""

import logging

logger = logging.getLogger("commonweal.requests")


class RejectedRequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if 400 <= response.status_code < 500:
            # The path and method only: query strings and bodies may hold personal data.
            logger.info("request_rejected method=%s path=%s status=%s", request.method, request.path, response.status_code)
        return response
