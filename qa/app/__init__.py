"""The web app: a thin Gradio layer over the library, installed as the extra ``cited-qa[app]``.

``layout`` builds the page, ``handlers`` answers its events by calling the
library, ``auth`` checks logins, ``server`` serves it; ``static/`` holds its
CSS and JavaScript. Importing any of them without Gradio installed raises
:class:`~qa.errors.MissingExtra` with the install command.
"""

from qa.extras import require

require("gradio", "app", "The web app")
