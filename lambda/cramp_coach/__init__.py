"""Cramp Coach: an Alexa skill for night-time leg cramps."""
