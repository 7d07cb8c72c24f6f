"""The official `openai` and `anthropic` Python SDKs against `cloudfit emulate`.

Starts the emulator binary (path in CLOUDFIT_BIN, default target/debug/cloudfit) as a
subprocess with a temporary config on free ports, then exercises chat, streaming with usage,
tools, JSON mode, reasoning, prompt-cache usage, embeddings, model listing, and error classes. Needs:
    pip install openai anthropic
Run: python3 crates/cli/tests/python/test_sdk.py   (unittest; exits non-zero on any failure)
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import anthropic
import openai

CONFIG = """
[[provider]]
name = "openai"
protocol = "openai"
[provider.output]
length = { type = "fixed", tokens = 24 }

[[provider]]
name = "limited"
protocol = "openai"
[provider.faults]
rate_limit_share = 1.0
retry_after_s = 1

[[provider]]
name = "deepseek"
protocol = "openai"
dialect = "deepseek"
models = ["deepseek-chat"]
reasoning_models = ["deepseek-reasoner"]
[provider.output]
reasoning_tokens = 9

[[provider]]
name = "anthropic"
protocol = "anthropic"
[provider.output]
length = { type = "fixed", tokens = 16 }

[[provider]]
name = "overloaded"
protocol = "anthropic"
[provider.faults]
unavailable_share = 1.0
"""

URLS = {}
PROC = None


def count_tokens(text):
    """The emulator's documented tokenizer: ASCII alphanumeric runs, or any other non-space char."""
    n, in_word = 0, False
    for c in text:
        if c.isascii() and c.isalnum():
            if not in_word:
                n += 1
                in_word = True
        else:
            in_word = False
            if not c.isspace():
                n += 1
    return n


def setUpModule():
    global PROC
    binary = os.environ.get("CLOUDFIT_BIN", "target/debug/cloudfit")
    cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    cfg.write(CONFIG)
    cfg.close()
    PROC = subprocess.Popen(
        [binary, "emulate", "--config", cfg.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(5):
        line = PROC.stdout.readline()
        if not line:
            raise RuntimeError("emulator exited: " + PROC.stderr.read())
        name, url = line.split()
        URLS[name] = url


def tearDownModule():
    if PROC is not None:
        PROC.terminate()
        PROC.wait(timeout=10)
        PROC.stdout.close()
        PROC.stderr.close()
        if PROC.returncode != 0:
            raise RuntimeError(f"emulator exited with {PROC.returncode} on SIGTERM")


def oa(name="openai", **kw):
    return openai.OpenAI(api_key="sk-test", base_url=URLS[name], max_retries=0, **kw)


def an(name="anthropic"):
    return anthropic.Anthropic(api_key="sk-ant-test", base_url=URLS[name], max_retries=0)


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city", "unit"],
        },
    },
}


class OpenAISDK(unittest.TestCase):
    def test_chat(self):
        r = oa().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello there"}])
        self.assertEqual(r.object, "chat.completion")
        self.assertEqual(r.choices[0].finish_reason, "stop")
        text = r.choices[0].message.content
        self.assertEqual(r.usage.completion_tokens, 24)
        self.assertEqual(count_tokens(text), 24)
        self.assertEqual(r.usage.prompt_tokens, 2)
        self.assertEqual(r.usage.total_tokens, 26)
        again = oa().chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello there"}])
        self.assertEqual(again.choices[0].message.content, text)

    def test_stream_with_usage(self):
        stream = oa().chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        parts, usage, finish = [], None, None
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
                self.assertEqual(chunk.choices, [])
            for c in chunk.choices:
                if c.delta.content:
                    parts.append(c.delta.content)
                if c.finish_reason:
                    finish = c.finish_reason
        self.assertEqual(finish, "stop")
        self.assertIsNotNone(usage)
        self.assertEqual(usage.completion_tokens, count_tokens("".join(parts)))

    def test_tools(self):
        r = oa().chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "weather in Paris"}],
            tools=[WEATHER],
            tool_choice="required",
        )
        self.assertEqual(r.choices[0].finish_reason, "tool_calls")
        call = r.choices[0].message.tool_calls[0]
        self.assertEqual(call.function.name, "get_weather")
        args = json.loads(call.function.arguments)
        self.assertIsInstance(args["city"], str)
        self.assertIn(args["unit"], ["c", "f"])
        # streamed tool call, assembled by the SDK's helper
        with oa().chat.completions.stream(
            model="gpt-4o", messages=[{"role": "user", "content": "weather"}], tools=[WEATHER]
        ) as s:
            for _ in s:
                pass
            final = s.get_final_completion()
        self.assertEqual(final.choices[0].message.tool_calls[0].function.name, "get_weather")
        json.loads(final.choices[0].message.tool_calls[0].function.arguments)

    def test_json_mode(self):
        r = oa().chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "answer in JSON"}],
            response_format={"type": "json_object"},
        )
        self.assertIsInstance(json.loads(r.choices[0].message.content), dict)

    def test_reasoning_dialect(self):
        r = oa("deepseek").chat.completions.create(
            model="deepseek-reasoner", messages=[{"role": "user", "content": "think"}]
        )
        extra = r.choices[0].message.model_extra or {}
        self.assertEqual(count_tokens(extra["reasoning_content"]), 9)
        self.assertEqual(r.usage.completion_tokens_details.reasoning_tokens, 9)
        self.assertEqual((r.usage.model_extra or {})["prompt_cache_miss_tokens"], r.usage.prompt_tokens)

    def test_prompt_cache(self):
        # OpenAI's rule: prompts of 1024 tokens or more, the cached prefix reported in 128s
        system = " ".join(f"policy{i}" for i in range(1100))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": "Summarise the policy"}]
        first = oa().chat.completions.create(model="gpt-4o", messages=messages)
        self.assertEqual(first.usage.prompt_tokens, 1103)
        self.assertEqual(first.usage.prompt_tokens_details.cached_tokens, 0)
        again = oa().chat.completions.create(model="gpt-4o", messages=messages)
        self.assertEqual(again.usage.prompt_tokens, 1103)
        self.assertEqual(again.usage.prompt_tokens_details.cached_tokens, 1024)
        stream = oa().chat.completions.create(
            model="gpt-4o", messages=messages, stream=True, stream_options={"include_usage": True}
        )
        usage = [c.usage for c in stream if c.usage is not None][-1]
        self.assertEqual(usage.prompt_tokens_details.cached_tokens, 1024)
        # DeepSeek's dialect: 64-token units, hit + miss = prompt tokens
        for _ in range(2):
            r = oa("deepseek").chat.completions.create(model="deepseek-chat", messages=messages)
        extra = r.usage.model_extra or {}
        self.assertEqual(extra["prompt_cache_hit_tokens"], 1088)
        self.assertEqual(extra["prompt_cache_miss_tokens"], 15)
        self.assertEqual(r.usage.prompt_tokens_details.cached_tokens, 1088)

    def test_embeddings(self):
        # the SDK asks for base64 by default and decodes it
        r = oa().embeddings.create(model="text-embedding-3-small", input=["hello world", "bye"])
        self.assertEqual(len(r.data), 2)
        self.assertEqual(len(r.data[0].embedding), 1536)
        norm = sum(x * x for x in r.data[0].embedding) ** 0.5
        self.assertAlmostEqual(norm, 1.0, places=3)
        f = oa().embeddings.create(
            model="text-embedding-3-small", input="hello world", encoding_format="float", dimensions=16
        )
        self.assertEqual(len(f.data[0].embedding), 16)
        self.assertEqual(r.usage.prompt_tokens, 3)

    def test_models(self):
        ids = [m.id for m in oa().models.list()]
        self.assertIn("gpt-4o-mini", ids)
        self.assertIn("text-embedding-3-small", ids)

    def test_errors(self):
        with self.assertRaises(openai.RateLimitError) as e:
            oa("limited").chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
        self.assertEqual(e.exception.response.headers["retry-after"], "1")
        self.assertEqual(e.exception.code, "rate_limit_exceeded")
        with self.assertRaises(openai.NotFoundError):
            oa().chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])


class AnthropicSDK(unittest.TestCase):
    def test_messages(self):
        m = an().messages.create(
            model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "Hello Claude"}]
        )
        self.assertEqual(m.type, "message")
        self.assertEqual(m.stop_reason, "end_turn")
        self.assertEqual(m.usage.output_tokens, 16)
        self.assertEqual(m.usage.input_tokens, 2)
        self.assertEqual(count_tokens(m.content[0].text), 16)

    def test_stream_helper(self):
        with an().messages.stream(
            model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "Hi"}]
        ) as s:
            text = "".join(s.text_stream)
            final = s.get_final_message()
        self.assertEqual(final.content[0].text, text)
        self.assertEqual(final.usage.output_tokens, count_tokens(text))
        self.assertEqual(final.stop_reason, "end_turn")

    def test_thinking_stream(self):
        with an().messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=4000,
            thinking={"type": "enabled", "budget_tokens": 2000},
            messages=[{"role": "user", "content": "Think"}],
        ) as s:
            final = s.get_final_message()
        self.assertEqual([b.type for b in final.content], ["thinking", "text"])
        self.assertTrue(final.content[0].signature)

    def test_tool_use(self):
        tools = [
            {
                "name": "lookup",
                "description": "look something up",
                "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
            }
        ]
        m = an().messages.create(
            model="claude-haiku-4-5", max_tokens=100, tools=tools, messages=[{"role": "user", "content": "find"}]
        )
        self.assertEqual(m.stop_reason, "tool_use")
        block = m.content[0]
        self.assertEqual(block.type, "tool_use")
        self.assertIsInstance(block.input["q"], str)
        with an().messages.stream(
            model="claude-haiku-4-5", max_tokens=100, tools=tools, messages=[{"role": "user", "content": "find"}]
        ) as s:
            final = s.get_final_message()
        self.assertIsInstance(final.content[0].input["q"], str)

    def test_prompt_cache(self):
        # cached only up to the cache_control breakpoint; input_tokens is the uncached rest
        doc = " ".join(f"clause{i}" for i in range(1500))
        system = [{"type": "text", "text": doc, "cache_control": {"type": "ephemeral"}}]

        def ask(question):
            return an().messages.create(
                model="claude-sonnet-4-6",
                max_tokens=50,
                system=system,
                messages=[{"role": "user", "content": question}],
            ).usage

        first = ask("Summarise")
        self.assertEqual(first.cache_creation_input_tokens, 1500)
        self.assertEqual(first.cache_read_input_tokens, 0)
        self.assertEqual(first.input_tokens, 1)
        second = ask("Risks")
        self.assertEqual(second.cache_creation_input_tokens, 0)
        self.assertEqual(second.cache_read_input_tokens, 1500)
        self.assertEqual(second.input_tokens, 1)

    def test_overloaded(self):
        with self.assertRaises(anthropic.APIStatusError) as e:
            an("overloaded").messages.create(
                model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
            )
        self.assertEqual(e.exception.status_code, 529)
        if hasattr(anthropic, "OverloadedError"):
            self.assertIsInstance(e.exception, anthropic.OverloadedError)

    def test_not_found(self):
        with self.assertRaises(anthropic.NotFoundError):
            an().messages.create(model="claude-0", max_tokens=10, messages=[{"role": "user", "content": "x"}])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
