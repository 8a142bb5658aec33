"""`make demo` on a local DynamoDB (moto's server): the night ends with the history."""

from tools import demo


def test_the_scripted_night_ends_with_this_weeks_count_and_the_history_card(server_table):
    lines = []
    demo.play(out=lines.append)
    text = "\n".join(lines)
    assert "Shall I keep a private count of your cramps" in text
    assert "Alexa: In the last seven nights you had 3 cramps, on one night." in text
    assert "Card: Your cramp history" in text
    assert "    | Wed Nov 25  ###" in text
    assert "couldn't" not in text
