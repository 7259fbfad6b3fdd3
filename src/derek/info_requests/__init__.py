"""Information requests: submission, statutory deadlines, the official's workflow, the public register,
appeals and statistics."""

from derek.info_requests import policy as policy  # registers the actions on requests
