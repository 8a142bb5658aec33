"""The skill: every handler and interceptor, registered in one visible place, and what Yes
and No mean after each question.

Order matters: the first handler whose can_handle is true answers, so specific handlers
(a symptom, even mid-cramp) come before general ones (any IntentRequest).
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from .alexa_api import TimeoutApiClient
from .config import load_settings, require_user_hash_salt
from .journeys import basics, bedtime, cramp_now, guide, no_history, red_flags
from .journeys.history import answers, consent, deletion, log_cramp, recording
from .limits import ResponseLimits
from .no_store import NoStore
from .observability import RequestLogger, ResponseLogger
from .route import Answer, Intent, YesNo
from .storage import CrampStore
from .store import DynamoStore
from .turn import Asking, TurnStarter
from .warm import WarmMemory

# What Yes and No mean after each question the skill asks (None: nothing; the fallback
# answers). A new question: add its Asking member (turn.py) and a row here.
YES_NO: dict[Asking, tuple[Answer | None, Answer | None]] = {
    Asking.EASING: (cramp_now.eased, cramp_now.not_easing),
    Asking.MUSCLE: (cramp_now.confirm_calf, cramp_now.not_easing),
    Asking.SYMPTOM: (red_flags.ask_what_they_notice, red_flags.nothing_now),
    Asking.CONSENT: (consent.consent_yes, consent.consent_no),
    Asking.DELETE: (deletion.delete_yes, deletion.delete_no),
    Asking.TIP: (guide.guide_yes, guide.guide_no),
    Asking.TONIGHT_TIP: (guide.guide_yes, guide.guide_no),
    Asking.GUIDE_MORE: (guide.guide_yes, guide.guide_no),
    Asking.BEDTIME_TIME: (None, bedtime.declined),
    Asking.BEDTIME_SET: (bedtime.save, bedtime.declined),
    Asking.BEDTIME_CANCEL: (bedtime.finish_cancel, bedtime.declined),
}

# The history journeys: only in the full edition (CRAMP_EDITION, config.py).
HISTORY_HANDLERS: tuple[AbstractRequestHandler, ...] = (
    consent.KeepCountHandler(),
    log_cramp.LogCrampHandler(),
    answers.CrampCountHandler(),
    answers.LastCrampHandler(),
    Intent("WhichLegIntent", answer=answers.which_leg),
    Intent("CrampTrendIntent", answer=answers.getting_better),
    Intent("CrampHistoryIntent", answer=answers.show_history),
    Intent("DoctorSummaryIntent", answer=answers.doctor_summary),
    deletion.DeleteHistoryHandler(),
    deletion.SkillDisabledHandler(),
)
HISTORY_QUESTIONS = (Asking.CONSENT, Asking.DELETE)

REQUEST_HANDLERS: tuple[AbstractRequestHandler, ...] = (
    guide.EveningLaunchHandler(),  # 20:00-21:59 local: offers tonight's tip
    basics.LaunchHandler(),
    red_flags.SymptomHandler(),  # a symptom goes to triage first, even mid-cramp
    red_flags.CrampInARedFlagPlaceHandler(),  # "cramp in my chest": triage, not a stretch
    Intent("WhenToWorryIntent", answer=red_flags.when_to_worry),
    YesNo(YES_NO),  # before every other handler of Yes/No: the question decides
    cramp_now.CrampNowHandler(),
    Intent("StillCrampingIntent", answer=cramp_now.still_cramping, relief_first=True),
    Intent("CrampEasedIntent", answer=cramp_now.eased),  # the goodbye may learn the zone
    cramp_now.EasingTouchHandler(),  # the cramp screen's "Still cramping" / "Better" buttons
    *HISTORY_HANDLERS,
    Intent("TipIntent", answer=guide.give_tip),
    Intent("CausesIntent", answer=guide.cause_answer),
    Intent("RemedyIntent", answer=guide.remedy_answer),
    Intent("MedicineIntent", answer=guide.medicine_answer),
    Intent("PregnancyIntent", answer=guide.pregnancy),
    Intent("FaqIntent", answer=guide.faq_answer),
    Intent("AMAZON.HelpIntent", answer=basics.help_answer),
    Intent(*basics.STOP_INTENTS, answer=basics.stop),
    basics.RepeatHandler(),
    basics.SessionEndedHandler(),
    bedtime.PermissionAnswerHandler(),  # Connections.Response to the reminders permission
    Intent("SetReminderIntent", answer=bedtime.set_reminder),  # also a bare time, when asked
    Intent("ChangeReminderIntent", answer=bedtime.change_reminder),
    Intent("ListRemindersIntent", answer=bedtime.tell_reminder),
    Intent("CancelReminderIntent", answer=bedtime.start_cancel),  # asks before removing it
    basics.FallbackHandler(),  # any other intent
    basics.UnhandledRequestHandler(),  # any other request
)


def store_safe_handlers() -> list[AbstractRequestHandler]:
    """REQUEST_HANDLERS without history: its journeys give way to one "I keep no record"
    answer, and Yes/No lose the history questions (a session claiming one changes nothing)."""
    no_history_answer = Intent(*no_history.INTENTS, answer=no_history.keeps_nothing)
    yes_no = {k: v for k, v in YES_NO.items() if k not in HISTORY_QUESTIONS}
    handlers: list[AbstractRequestHandler] = []
    for handler in REQUEST_HANDLERS:
        if handler is HISTORY_HANDLERS[0]:
            handlers.append(no_history_answer)
        if handler not in HISTORY_HANDLERS:
            handlers.append(YesNo(yes_no) if isinstance(handler, YesNo) else handler)
    return handlers


def build_skill(store: CrampStore | None = None) -> CustomSkill:
    """The skill, keeping its users' data in `store` (DynamoDB unless told otherwise); the
    store-safe edition (CRAMP_EDITION) keeps none and never calls a store."""
    settings = load_settings()
    keeps = settings.keeps_history
    if keeps:
        require_user_hash_salt(settings)  # refuse to start rather than store weakly hashed ids
    store = store if store is not None else DynamoStore() if keeps else NoStore()
    memory = WarmMemory()  # this skill's own caches: a fresh skill remembers nothing
    builder = CustomSkillBuilder(api_client=TimeoutApiClient(timeout_seconds=2.0))
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # the SDK types it None
    for handler in REQUEST_HANDLERS if keeps else store_safe_handlers():
        builder.add_request_handler(handler)
    builder.add_exception_handler(basics.SpeakAnywayExceptionHandler(store, memory))
    # first: every Turn has the store, the memory and the edition
    builder.add_global_request_interceptor(TurnStarter(store, memory, keeps))
    builder.add_global_request_interceptor(RequestLogger())
    if keeps:  # counting ended cramps is history
        builder.add_global_request_interceptor(recording.EpisodeSnapshot())
        builder.add_global_response_interceptor(recording.EpisodeRecorder())
    builder.add_global_response_interceptor(ResponseLimits())  # after every state change
    builder.add_global_response_interceptor(ResponseLogger())
    return builder.create()


SKILL = build_skill()
