"""The skill: every handler and interceptor, registered in one visible place.

Order matters: the first handler whose can_handle is true answers, so specific handlers
(a Yes that answers 'Is it easing?') come before general ones (any IntentRequest).
"""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from .alexa_api import TimeoutApiClient
from .config import load_settings
from .journeys import basics, bedtime, cramp_now, guide, history, red_flags
from .observability import RequestLogger, ResponseLogger

REQUEST_HANDLERS = (
    guide.EveningLaunchHandler,  # 20:00-21:59 local: offers tonight's tip
    basics.LaunchHandler,
    red_flags.SymptomHandler,  # a symptom goes to triage first, even mid-cramp
    red_flags.CrampInARedFlagPlaceHandler,  # "cramp in my chest": triage, not a stretch
    red_flags.WhenToWorryHandler,
    red_flags.SymptomYesHandler,
    red_flags.SymptomNoHandler,
    cramp_now.CrampNowHandler,
    cramp_now.StillCrampingHandler,
    cramp_now.CrampEasedHandler,
    cramp_now.ConfirmCalfHandler,
    cramp_now.EasingTouchHandler,  # the cramp screen's "Still cramping" / "Better" buttons
    history.ConsentYesHandler,
    history.ConsentNoHandler,
    history.KeepCountHandler,
    history.LogCrampHandler,
    history.CrampCountHandler,
    history.LastCrampHandler,
    history.WhichLegHandler,
    history.TrendHandler,
    history.HistoryHandler,
    history.DoctorSummaryHandler,
    history.DeleteHistoryHandler,
    history.DeleteYesHandler,
    history.DeleteNoHandler,
    history.SkillDisabledHandler,
    guide.TipHandler,
    guide.CausesHandler,
    guide.RemedyHandler,
    guide.MedicineHandler,
    guide.PregnancyHandler,
    guide.FaqHandler,
    guide.GuideYesHandler,
    guide.GuideNoHandler,
    basics.HelpHandler,
    basics.StopHandler,
    basics.RepeatHandler,
    basics.SessionEndedHandler,
    bedtime.PermissionAnswerHandler,  # Connections.Response to the reminders permission
    bedtime.ReminderYesHandler,  # only when asking "Shall I set it?" / "Shall I remove it?"
    bedtime.ReminderNoHandler,
    bedtime.SetReminderHandler,
    bedtime.ChangeReminderHandler,
    bedtime.ListRemindersHandler,
    bedtime.CancelReminderHandler,
    basics.FallbackHandler,  # any other intent
    basics.UnhandledRequestHandler,  # any other request
)


def build_skill() -> CustomSkill:
    settings = load_settings()
    builder = CustomSkillBuilder(api_client=TimeoutApiClient(timeout_seconds=2.0))
    builder.skill_id = settings.skill_id
    for handler in REQUEST_HANDLERS:
        builder.add_request_handler(handler())
    builder.add_exception_handler(basics.SpeakAnywayExceptionHandler())
    builder.add_global_request_interceptor(RequestLogger())
    builder.add_global_request_interceptor(history.EpisodeSnapshot())
    builder.add_global_response_interceptor(history.EpisodeRecorder())  # counts ended cramps
    builder.add_global_response_interceptor(ResponseLogger())
    return builder.create()


SKILL = build_skill()
