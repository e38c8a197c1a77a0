"""The model chain: configured litellm models in order.

A DSPy engine. When every model has failed it raises `ModelsExhausted`, and the ReAct
planner hands the run to the offline planner (`agent/react.py`). Transient errors (timeouts,
429, 5xx, connection errors) are retried with backoff (tenacity; a 429's Retry-After is
honoured), then the next model is used; auth errors, unknown models and context-window errors
go to the next model at once and say why. A model that failed stays skipped for the rest of
the run. Every call is a span with model, tokens, cost and latency; no key ever reaches a
span, a log or an event. litellm (~5 s to import) loads only when a remote model is used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from uvmgr.agent.events import ModelCalled, Notice, Observer, ignore
from uvmgr.agent.offline import OFFLINE_MODEL
from uvmgr.telemetry import Tracer, redact_text

TRANSIENT_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 30.0


class ModelFailed(Exception):
    def __init__(self, model: str, reason: str, transient: bool):
        super().__init__(f"{model}: {reason}")
        self.model, self.reason, self.transient = model, reason, transient


class ModelsExhausted(ModelFailed):
    """Every configured model has failed (each reason is in `ModelChain.down`)."""


_MISSING_KEY = ("missing credentials", "api_key client option must be set", "no key is set",
                "missing api key", "api key not found", "api_key must be set")
_NO_PROVIDER = "llm provider not provided"


def _says(exc: BaseException, needles: tuple[str, ...]) -> bool:
    text = str(exc).lower()
    return any(n in text for n in needles)


def key_variables(model: str) -> list[str]:
    """The environment variables that hold `model`'s API key (names only, never values)."""
    import litellm

    try:
        missing = list(litellm.validate_environment(model=model).get("missing_keys") or [])
    except Exception:  # noqa: BLE001 - litellm's lookup tables: a guess below is good enough
        missing = []
    if missing:
        return missing
    try:
        provider = litellm.get_llm_provider(model)[1]
    except Exception:  # noqa: BLE001 - an unknown provider has no variable to name
        return []
    return [f"{provider.upper().replace('-', '_')}_API_KEY"] if provider else []


def model_error(exc: BaseException, model: str) -> str | None:
    """What a person must fix for errors that retrying cannot: no API key (which variable to
    set), a key the provider rejected, a model string without its provider prefix. None for
    other errors."""
    import litellm

    status = getattr(exc, "status_code", None)
    if _says(exc, _MISSING_KEY):
        names = " or ".join(key_variables(model)) or "the provider's API key variable"
        return f"no API key for {model}: set {names}; not retried"
    if _says(exc, (_NO_PROVIDER,)):
        return (f"unknown model {model!r}: litellm needs the provider as a prefix, e.g. "
                f"openai/{model}, anthropic/{model} or ollama/{model}; not retried")
    if isinstance(exc, litellm.AuthenticationError) or status == 401:
        names = " or ".join(key_variables(model)) or "the provider's API key variable"
        return f"authentication failed for {model}: the provider rejected the key in {names}; " \
               "not retried"
    return None


def is_transient(exc: BaseException) -> bool:
    import litellm

    if _says(exc, _MISSING_KEY + (_NO_PROVIDER,)):
        return False  # litellm reports a missing key as a 500: no retry will bring one
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 600:
        return status in TRANSIENT_STATUS
    if isinstance(exc, (litellm.Timeout, litellm.RateLimitError, litellm.APIConnectionError,
                        litellm.ServiceUnavailableError, litellm.InternalServerError)):
        return True
    if isinstance(exc, (litellm.AuthenticationError, litellm.NotFoundError,
                        litellm.BadRequestError, litellm.ContextWindowExceededError,
                        litellm.PermissionDeniedError)):
        return False
    return False


_BY_STATUS = {
    401: "authentication failed (check the API key); not retried",
    403: "permission denied; not retried",
    404: "unknown model name; not retried",
    429: "rate limited (429)",
    500: "server error (500)",
    502: "bad gateway (502)",
    503: "service unavailable (503)",
    504: "gateway timeout (504)",
}


def describe(exc: BaseException, model: str = "") -> str:
    """A short, secret-free reason for a failed call."""
    import litellm

    actionable = model_error(exc, model) if model else None
    if actionable:
        return actionable

    status = getattr(exc, "status_code", None)
    if isinstance(exc, litellm.ContextWindowExceededError):
        return "the prompt exceeds the context window; not retried"
    if status in _BY_STATUS and not isinstance(exc, litellm.Timeout):
        return _BY_STATUS[status]
    kinds = [
        (litellm.AuthenticationError, "authentication failed (check the API key); not retried"),
        (litellm.PermissionDeniedError, "permission denied; not retried"),
        (litellm.ContextWindowExceededError, "the prompt exceeds the context window; not retried"),
        (litellm.NotFoundError, "unknown model name; not retried"),
        (litellm.BadRequestError, "the request was rejected (bad model name or parameters); "
                                  "not retried"),
        (litellm.RateLimitError, "rate limited (429)"),
        (litellm.Timeout, "timed out"),
        (litellm.ServiceUnavailableError, "service unavailable (503)"),
        (litellm.InternalServerError, "server error (5xx)"),
        (litellm.APIConnectionError, "connection failed"),
    ]
    for kind, text in kinds:
        if isinstance(exc, kind):
            return text
    return redact_text(f"{type(exc).__name__}: {str(exc)[:200]}")


def retry_after(exc: BaseException) -> float | None:
    """Seconds a 429/503 asked us to wait (capped), from whichever headers litellm kept."""
    value = None
    for headers in (getattr(exc, "litellm_response_headers", None),
                    getattr(exc, "headers", None),
                    getattr(getattr(exc, "response", None), "headers", None)):
        if headers is not None and hasattr(headers, "get") and headers.get("retry-after"):
            value = headers.get("retry-after")
            break
    try:
        return min(float(value), MAX_RETRY_AFTER) if value is not None else None
    except (TypeError, ValueError):
        return None


def _options(request) -> dict:
    """Generation settings DSPy asked for: a JSON schema to constrain the answer (servers such
    as llama.cpp enforce it), temperature and stop sequences."""
    config = getattr(request, "config", None)
    out: dict = {}
    fmt = getattr(config, "response_format", None)
    if fmt:
        fmt = dict(fmt)
        out["response_format"] = fmt if "type" in fmt else {
            "type": "json_schema", "json_schema": {"name": "answer", "schema": fmt}}
    if getattr(config, "temperature", None) is not None:
        out["temperature"] = config.temperature
    if getattr(config, "stop", None):
        out["stop"] = list(config.stop)
    return out


def _to_messages(request) -> list[dict]:
    system = request.system if isinstance(request.system, str) else "".join(
        p.text for p in (request.system or ()))
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": m.role, "content": m.text or ""} for m in request.messages]
    return messages


class ModelChain:
    """A DSPy engine that tries each configured model in turn."""

    def __init__(self, models: list[str], *, tracer: Tracer,
                 observer: Observer = ignore, timeout: float = 60.0, retries: int = 2,
                 api_base: str | None = None, env: Mapping[str, str] | None = None,
                 backoff: float = 0.5, max_tokens: int | None = None):
        self.models = [m for m in models if m]
        self.max_tokens = max_tokens
        self.tracer = tracer
        self.observer = observer
        self.timeout = timeout
        self.retries = retries
        self.api_base = api_base
        self.backoff = backoff
        self.env = os.environ if env is None else env
        self.down: dict[str, str] = {}
        self.active = self.models[0] if self.models else OFFLINE_MODEL
        self.calls: list[ModelCalled] = []
        self._litellm_loaded = False

    def _emit(self, event: ModelCalled) -> None:
        self.calls.append(event)
        self.observer(event)

    def complete(self, request):
        from dspy.lm15 import Message, Response, TextPart, Usage

        messages = _to_messages(request)
        for model in self.models:
            if model in self.down:
                continue
            try:
                text, usage = self._call_with_retries(model, messages, _options(request))
            except ModelFailed as exc:
                self.down[model] = exc.reason
                self.observer(Notice(f"model {model} failed: {exc.reason}; falling back"))
                continue
            self.active = model
            return Response(id=None, model=model, message=Message.assistant([TextPart(text)]),
                            finish_reason="stop", usage=Usage(**usage))
        reasons = "; ".join(f"{m}: {why}" for m, why in self.down.items())
        raise ModelsExhausted(self.models[-1] if self.models else OFFLINE_MODEL,
                              reasons or "every configured model failed", False)

    def _litellm(self):
        if not self._litellm_loaded:
            self.observer(Notice("loading litellm (the first remote model call takes a few "
                                 "seconds)"))
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            self._litellm_loaded = True
        import litellm

        litellm.suppress_debug_info = True
        return litellm

    def _call_with_retries(self, model: str, messages: list[dict],
                           options: dict | None = None) -> tuple[str, dict]:
        from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt

        litellm = self._litellm()
        attempt_no = 0

        def wait(state) -> float:
            exc = state.outcome.exception()
            after = retry_after(exc) if exc else None
            return after if after is not None else self.backoff * (2 ** (state.attempt_number - 1))

        try:
            for attempt in Retrying(stop=stop_after_attempt(self.retries + 1), wait=wait,
                                    retry=retry_if_exception(is_transient), reraise=False):
                with attempt:
                    attempt_no += 1
                    return self._call_once(litellm, model, messages, attempt_no, options or {})
        except RetryError as exc:
            last = exc.last_attempt.exception()
            raise ModelFailed(model, f"{describe(last, model)}, after {attempt_no} attempts",
                              True) from None
        except ModelFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - any provider error: next model, with the reason
            raise ModelFailed(model, describe(exc, model), is_transient(exc)) from None
        raise ModelFailed(model, "no answer", True)  # pragma: no cover - loop always returns

    def _call_once(self, litellm, model: str, messages: list[dict], attempt: int,
                   options: dict) -> tuple[str, dict]:
        started = time.monotonic()
        with self.tracer.span("model call", model=model, attempt=attempt) as span:
            kwargs = {"model": model, "messages": messages, "timeout": self.timeout,
                      "num_retries": 0, "max_retries": 0, **options}
            if self.api_base:
                kwargs["api_base"] = self.api_base
            if self.max_tokens:
                kwargs["max_tokens"] = self.max_tokens
            try:
                response = litellm.completion(**kwargs)
            except Exception as exc:
                latency = time.monotonic() - started
                reason = describe(exc, model)
                span.set("outcome", reason)
                self._emit(ModelCalled(model, False, latency, error=reason, attempt=attempt))
                raise
            latency = time.monotonic() - started
            usage = getattr(response, "usage", None)
            tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
            tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
            try:
                cost = float(litellm.completion_cost(completion_response=response) or 0.0)
            except Exception:  # noqa: BLE001 - unknown price: record zero, never fail the call
                cost = 0.0
            for key, value in (("input_tokens", tokens_in), ("output_tokens", tokens_out),
                               ("cost_usd", cost), ("latency_ms", round(latency * 1000, 1))):
                span.set(key, value)
            self._emit(ModelCalled(model, True, latency, tokens_in, tokens_out, cost,
                                   attempt=attempt))
            text = response.choices[0].message.content or ""
            return text, {"input_tokens": tokens_in, "output_tokens": tokens_out,
                          "total_tokens": tokens_in + tokens_out}

    @property
    def cost(self) -> float:
        return sum(c.cost for c in self.calls)

    def stream(self, request):
        from dspy.lm15 import response_to_events

        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass
