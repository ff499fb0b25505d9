"""Message templates: the catalogue of kinds of message, the default wording of each in every language and
channel, companies' own overrides, and the one place a message is rendered (render.message_render)."""
