"""Inference-server clients.

Layout: ``base`` (the :class:`LLMClient` protocol and request/reply Structs),
``sglang`` (native ``/generate``, token-in/token-out, control endpoints),
``llamacpp`` (llama.cpp ``/completion`` with token ids), ``openai`` (chat
completions for API models, vLLM, llama.cpp), ``chat`` (templates rendering
prefix-stable token ids), ``retry`` (error translation and backoff) and
``http1`` (the keep-alive HTTP pool under the clients).
"""

from __future__ import annotations

from arollout.llm.base import (
    Completion as Completion,
    GenerateRequest as GenerateRequest,
    LLMClient as LLMClient,
    PromptIds as PromptIds,
    SamplingParams as SamplingParams,
)
from arollout.llm.chat import (
    ByteChatML as ByteChatML,
    ChatTemplate as ChatTemplate,
    HFChatTemplate as HFChatTemplate,
)
from arollout.llm.llamacpp import LlamaCppClient as LlamaCppClient
from arollout.llm.openai import OpenAIClient as OpenAIClient
from arollout.llm.retry import RetryPolicy as RetryPolicy
from arollout.llm.sglang import SGLangClient as SGLangClient

__all__ = (
    "ByteChatML",
    "ChatTemplate",
    "Completion",
    "GenerateRequest",
    "HFChatTemplate",
    "LLMClient",
    "LlamaCppClient",
    "OpenAIClient",
    "PromptIds",
    "RetryPolicy",
    "SGLangClient",
    "SamplingParams",
)
