"""Badge images: the program's designs (Pillow), text that fits, and a content-hash cache on disk."""
from bot.adapters.images.render import BadgeDesign, BadgeRenderer, design_key, draw_badge, encode_png

__all__ = ["BadgeDesign", "BadgeRenderer", "design_key", "draw_badge", "encode_png"]
