"""The web pages served by `gendan run`: the manager board and the customer portal.

Everything is reached through a signed link (`bot/web/links.py`); pages render on the server
(aiohttp-jinja2) and work without JavaScript, except the charts and the Gantt, which use the vendored
Chart.js and frappe-gantt from `static/vendor/` (never a CDN).
"""
