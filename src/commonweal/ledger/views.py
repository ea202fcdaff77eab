"""The log over HTTP, per c2sp.org/tlog-tiles: checkpoint, tiles, entry bundles, verifier key.

Only what the latest signed checkpoint covers is served: a tile beyond its size is a 404, so a
tile stored by the sequencer but not yet signed for is never seen. Full tiles never change and
are cached for a year; a partial tile is cached briefly (it may be pruned once the full tile
exists); the checkpoint is never cached.
"""

import logging

from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_safe

from commonweal.ledger.models import LogState
from commonweal.ledger.storage import TileNotFound, tile_in_tree, tile_store
from commonweal.tlog import BundleRef, TileError, parse_tile_path

__all__ = ["log_checkpoint", "log_tile", "log_vkey"]

logger = logging.getLogger("commonweal.ledger")

FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"


def _text(body: str, *, status: int = 200, cache: str = "no-store") -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found(message: str) -> HttpResponse:
    response = HttpResponseNotFound(message + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def log_checkpoint(request):
    """c2sp.org/tlog-tiles: the latest signed checkpoint (with any cosignatures), never cached."""
    text = LogState.objects.filter(pk=1).values_list("checkpoint", flat=True).first()
    if not text:
        return _not_found("no checkpoint has been signed yet")
    return _text(text)


@require_safe
def log_tile(request, tile_path: str):
    """c2sp.org/tlog-tiles: a Merkle tile or entry bundle of the signed tree."""
    try:
        ref = parse_tile_path("tile/" + tile_path)
    except TileError:
        return _not_found("not a tile path")
    signed_size = LogState.objects.filter(pk=1).values_list("signed_size", flat=True).first() or 0
    if not tile_in_tree(ref, signed_size):
        return _not_found("no such tile in the latest signed tree")
    store = tile_store()
    try:
        data = (store.read_bundles([ref]) if isinstance(ref, BundleRef) else store.read_tiles([ref]))[0]
    except TileNotFound:
        # The signed tree needs this tile: losing it is an operational emergency.
        logger.error("log_tile_missing path=tile/%s signed_size=%d", tile_path, signed_size)
        return _not_found("tile missing")
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = PARTIAL_TILE_CACHE if ref.is_partial else FULL_TILE_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def log_vkey(request):
    """The log's verifier key (c2sp.org/signed-note), as one line without a newline."""
    vkey = LogState.objects.filter(pk=1).values_list("verifier_key", flat=True).first()
    if not vkey:
        return _not_found("the log has no key yet: start the sequencer")
    return _text(vkey, cache="public, max-age=300")
