from fastapi import APIRouter
from fastapi.responses import HTMLResponse


def build_pages(settings, audit):
    return APIRouter()


def error_page(request, field, message, status):
    return HTMLResponse(f"error", status_code=status)
