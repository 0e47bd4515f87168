"""The OpenAI-compatible door onto the same assistant: ``/v1/chat/completions`` and ``/v1/models``.

Clients that speak OpenAI's API (the ``openai`` SDK, LangChain ``ChatOpenAI``, Dify, FastGPT, MaxKB) reach
Chubei with a base URL and a key. The key sets the scope (a staff key: the general assistant; an operator
token: that project's chat), and the ``messages`` history is the conversation.
"""
