"""The official `openai`, `anthropic` (also its Bedrock client), `boto3` (Bedrock) and
`google-genai` (Gemini) Python SDKs against `cloudfit emulate`.

Starts the emulator binary (path in CLOUDFIT_BIN, default target/debug/cloudfit) as a
subprocess with a temporary config on free ports, then exercises chat, streaming with usage,
several choices (n), tools, JSON mode, reasoning, prompt-cache usage, embeddings, model listing,
the Responses API (plain, streamed, function tools, structured output),
SigV4, error classes and token-limit refusals. Nothing leaves 127.0.0.1: every client gets an
explicit key, region and endpoint. Needs:
    pip install -r crates/cli/tests/python/requirements.txt
Run: python3 crates/cli/tests/python/test_sdk.py   (unittest; exits non-zero on any failure)
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import anthropic
import boto3
import botocore.config
import botocore.exceptions
import openai
from google import genai

# botocore must never ask the EC2 instance metadata service for credentials or a region
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

CONFIG = """
[[provider]]
name = "openai"
protocol = "openai"
[provider.output]
length = { type = "fixed", tokens = 24 }

[[provider]]
name = "small"
protocol = "openai"
[provider.output]
length = { type = "fixed", tokens = 100 }
[provider.limits]
context_window = 64
max_output_tokens = 32

[[provider]]
name = "small-claude"
protocol = "anthropic"
[provider.limits]
context_window = 64
max_output_tokens = 32

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

[[provider]]
name = "bedrock"
protocol = "bedrock"
api_keys = ["AKIDCLOUDFITTEST"]
aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
[provider.output]
length = { type = "fixed", tokens = 20 }

[[provider]]
name = "gemini"
protocol = "gemini"
[provider.output]
length = { type = "fixed", tokens = 12 }
"""

AWS_ACCESS_KEY_ID = "AKIDCLOUDFITTEST"
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

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
    for _ in range(CONFIG.count("[[provider]]")):
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


    def test_several_choices(self):
        msgs = [{"role": "user", "content": "Name a cloud"}]
        r = oa().chat.completions.create(model="gpt-4o-mini", messages=msgs, n=3)
        self.assertEqual([c.index for c in r.choices], [0, 1, 2])
        texts = [c.message.content for c in r.choices]
        self.assertEqual(len(set(texts)), 3)
        self.assertEqual(r.usage.completion_tokens, sum(count_tokens(t) for t in texts))
        parts, usage = {}, None
        for chunk in oa().chat.completions.create(
            model="gpt-4o-mini", messages=msgs, n=3, stream=True, stream_options={"include_usage": True}
        ):
            for c in chunk.choices:
                parts[c.index] = parts.get(c.index, "") + (c.delta.content or "")
            if chunk.usage:
                usage = chunk.usage
        self.assertEqual([parts[i] for i in range(3)], texts)
        self.assertEqual(usage.completion_tokens, r.usage.completion_tokens)

    def test_token_limits(self):
        long = [{"role": "user", "content": "word " * 80}]
        with self.assertRaises(openai.BadRequestError) as e:
            oa("small").chat.completions.create(model="gpt-4o-mini", messages=long)
        self.assertEqual(e.exception.code, "context_length_exceeded")
        self.assertEqual(e.exception.param, "messages")
        self.assertIn("maximum context length is 64 tokens", e.exception.message)
        with self.assertRaises(openai.BadRequestError) as e:
            oa("small").chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], max_completion_tokens=33
            )
        self.assertEqual(e.exception.code, "invalid_value")
        self.assertEqual(e.exception.param, "max_completion_tokens")
        # no cap asked for: the model's largest output bounds it
        r = oa("small").chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        self.assertEqual(r.choices[0].finish_reason, "length")
        self.assertEqual(r.usage.completion_tokens, 32)


    def test_reasoning_inside_the_cap(self):
        # o3-mini reasons 32 tokens (the default) inside max_completion_tokens
        r = oa().chat.completions.create(
            model="o3-mini", messages=[{"role": "user", "content": "think"}], max_completion_tokens=40
        )
        self.assertEqual(r.choices[0].finish_reason, "length")
        self.assertEqual(r.usage.completion_tokens, 40)
        self.assertEqual(r.usage.completion_tokens_details.reasoning_tokens, 32)
        self.assertEqual(count_tokens(r.choices[0].message.content), 8)
        with self.assertRaises(openai.BadRequestError) as e:
            oa().chat.completions.create(
                model="o3-mini", messages=[{"role": "user", "content": "think"}], max_tokens=40
            )
        self.assertEqual(e.exception.code, "unsupported_parameter")
        self.assertEqual(e.exception.param, "max_tokens")

    def test_logprobs(self):
        msgs = [{"role": "user", "content": "Hello"}]
        r = oa().chat.completions.create(model="gpt-4o", messages=msgs, logprobs=True, top_logprobs=2)
        content = r.choices[0].logprobs.content
        self.assertEqual("".join(t.token for t in content), r.choices[0].message.content)
        self.assertEqual(len(content), 24)
        self.assertEqual(bytes(content[0].bytes).decode(), content[0].token)
        self.assertEqual(len(content[0].top_logprobs), 2)
        streamed = []
        for chunk in oa().chat.completions.create(model="gpt-4o", messages=msgs, logprobs=True, top_logprobs=2, stream=True):
            for c in chunk.choices:
                if c.logprobs and c.logprobs.content:
                    streamed.extend(c.logprobs.content)
        self.assertEqual([t.logprob for t in streamed], [t.logprob for t in content])

    def test_json_mode_needs_the_word(self):
        with self.assertRaises(openai.BadRequestError) as e:
            oa().chat.completions.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": "list three clouds"}],
                response_format={"type": "json_object"},
            )
        self.assertIn("must contain the word 'json'", e.exception.message)


RESPONSE_WEATHER = {"type": "function", **WEATHER["function"]}


class OpenAIResponsesSDK(unittest.TestCase):
    def test_create(self):
        r = oa().responses.create(model="gpt-4o-mini", input="Hello there", instructions="Be brief.")
        self.assertEqual(r.object, "response")
        self.assertEqual(r.status, "completed")
        self.assertEqual(count_tokens(r.output_text), 24)
        self.assertEqual(r.usage.output_tokens, 24)
        # "Be brief." and "Hello there"
        self.assertEqual(r.usage.input_tokens, 3 + 2)
        self.assertEqual(r.usage.total_tokens, 29)
        self.assertEqual(r.output[0].type, "message")
        again = oa().responses.create(model="gpt-4o-mini", input="Hello there", instructions="Be brief.")
        self.assertEqual(again.output_text, r.output_text)

    def test_stream(self):
        kinds, parts, final = [], [], None
        for event in oa().responses.create(model="gpt-4o-mini", input="Stream it", stream=True):
            kinds.append(event.type)
            if event.type == "response.output_text.delta":
                parts.append(event.delta)
            elif event.type == "response.completed":
                final = event.response
        self.assertEqual(kinds[:2], ["response.created", "response.in_progress"])
        self.assertEqual(kinds[-1], "response.completed")
        self.assertIn("response.output_text.done", kinds)
        self.assertEqual(final.output_text, "".join(parts))
        self.assertEqual(final.usage.output_tokens, count_tokens("".join(parts)))
        # the SDK's stream helper assembles the same response
        with oa().responses.stream(model="gpt-4o-mini", input="Stream it") as s:
            for _ in s:
                pass
            assembled = s.get_final_response()
        self.assertEqual(assembled.output_text, final.output_text)

    def test_function_tools(self):
        r = oa().responses.create(
            model="gpt-4o", input="weather in Paris", tools=[RESPONSE_WEATHER], tool_choice="required"
        )
        call = r.output[0]
        self.assertEqual(call.type, "function_call")
        self.assertEqual(call.name, "get_weather")
        args = json.loads(call.arguments)
        self.assertIn(args["unit"], ["c", "f"])
        pieces, done = [], None
        for event in oa().responses.create(
            model="gpt-4o", input="weather", tools=[RESPONSE_WEATHER], stream=True
        ):
            if event.type == "response.function_call_arguments.delta":
                pieces.append(event.delta)
            elif event.type == "response.function_call_arguments.done":
                done = event.arguments
        self.assertEqual("".join(pieces), done)
        self.assertIsInstance(json.loads(done)["city"], str)
        # the tool's output sent back: an answer
        answer = oa().responses.create(
            model="gpt-4o",
            tools=[RESPONSE_WEATHER],
            input=[
                {"role": "user", "content": "weather in Paris"},
                {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
                {"type": "function_call_output", "call_id": call.call_id, "output": "18 degrees"},
            ],
        )
        self.assertTrue(answer.output_text)

    def test_structured_output(self):
        import pydantic

        class Trip(pydantic.BaseModel):
            city: str
            days: int

        r = oa().responses.parse(model="gpt-4o", input="plan a trip", text_format=Trip)
        self.assertIsInstance(r.output_parsed, Trip)
        self.assertIsInstance(r.output_parsed.city, str)

    def test_reasoning_and_cap(self):
        r = oa().responses.create(model="o3-mini", input="think", max_output_tokens=40)
        self.assertEqual([o.type for o in r.output], ["reasoning", "message"])
        self.assertEqual(r.status, "incomplete")
        self.assertEqual(r.incomplete_details.reason, "max_output_tokens")
        self.assertEqual(r.usage.output_tokens, 40)
        self.assertEqual(r.usage.output_tokens_details.reasoning_tokens, 32)

    def test_errors(self):
        with self.assertRaises(openai.RateLimitError):
            oa("limited").responses.create(model="gpt-4o", input="x")
        with self.assertRaises(openai.BadRequestError) as e:
            oa().responses.create(model="gpt-4o", input="x", max_output_tokens=10)
        self.assertEqual(e.exception.code, "integer_below_min_value")


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

    def test_token_limits(self):
        with self.assertRaises(anthropic.BadRequestError) as e:
            an("small-claude").messages.create(
                model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "word " * 80}]
            )
        self.assertEqual(e.exception.body["error"]["type"], "invalid_request_error")
        self.assertRegex(e.exception.body["error"]["message"], r"^prompt is too long: \d+ tokens > 64 maximum$")
        with self.assertRaises(anthropic.BadRequestError) as e:
            an("small-claude").messages.create(
                model="claude-haiku-4-5", max_tokens=33, messages=[{"role": "user", "content": "x"}]
            )
        self.assertEqual(
            e.exception.body["error"]["message"],
            "max_tokens: 33 > 32, which is the maximum allowed number of output tokens for claude-haiku-4-5",
        )

    def test_structured_output(self):
        import pydantic

        class Customer(pydantic.BaseModel):
            name: str
            seats: int

        m = an().messages.parse(
            model="claude-sonnet-4-6",
            max_tokens=200,
            messages=[{"role": "user", "content": "Extract the customer"}],
            output_format=Customer,
        )
        self.assertIsInstance(m.parsed_output, Customer)
        schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
        b = an().beta.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=200,
            messages=[{"role": "user", "content": "Extract the customer"}],
            betas=["structured-outputs-2025-11-13"],
            # the beta's top-level field, which this SDK no longer types
            extra_body={"output_format": {"type": "json_schema", "schema": schema}},
        )
        self.assertIsInstance(json.loads(b.content[0].text)["name"], str)

    def test_not_found(self):
        with self.assertRaises(anthropic.NotFoundError):
            an().messages.create(model="claude-0", max_tokens=10, messages=[{"role": "user", "content": "x"}])


def aws(service="bedrock-runtime", secret=AWS_SECRET_ACCESS_KEY):
    return boto3.client(
        service,
        endpoint_url=URLS["bedrock"],
        region_name="us-east-1",
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def user(text):
    return [{"role": "user", "content": [{"text": text}]}]


NOVA = "amazon.nova-lite-v1:0"


class Boto3BedrockSDK(unittest.TestCase):
    def test_converse(self):
        r = aws().converse(modelId=NOVA, messages=user("Hello Bedrock"))
        self.assertEqual(r["stopReason"], "end_turn")
        self.assertEqual(r["output"]["message"]["role"], "assistant")
        text = r["output"]["message"]["content"][0]["text"]
        self.assertEqual(count_tokens(text), 20)
        self.assertEqual(r["usage"]["inputTokens"], 2)
        self.assertEqual(r["usage"]["outputTokens"], 20)
        self.assertEqual(r["usage"]["totalTokens"], 22)
        self.assertIsInstance(r["metrics"]["latencyMs"], int)

    def test_converse_stream(self):
        r = aws().converse_stream(modelId=NOVA, messages=user("Stream please"))
        kinds, parts, stop, usage = [], [], None, None
        for event in r["stream"]:
            (kind,) = event.keys()
            kinds.append(kind)
            if kind == "contentBlockDelta":
                parts.append(event[kind]["delta"]["text"])
            elif kind == "messageStop":
                stop = event[kind]["stopReason"]
            elif kind == "metadata":
                usage = event[kind]["usage"]
        self.assertEqual(kinds[0], "messageStart")
        self.assertEqual(kinds[-2:], ["messageStop", "metadata"])
        self.assertIn("contentBlockDelta", kinds)
        self.assertEqual(stop, "end_turn")
        self.assertEqual(usage["outputTokens"], count_tokens("".join(parts)))
        self.assertEqual(usage["outputTokens"], 20)
        self.assertEqual(usage["totalTokens"], usage["inputTokens"] + usage["outputTokens"])

    def test_tool_use(self):
        tool_config = {
            "tools": [
                {
                    "toolSpec": {
                        "name": "get_weather",
                        "description": "Weather for a city",
                        "inputSchema": {"json": WEATHER["function"]["parameters"]},
                    }
                }
            ],
            "toolChoice": {"tool": {"name": "get_weather"}},
        }
        r = aws().converse(modelId=NOVA, messages=user("weather in Paris"), toolConfig=tool_config)
        self.assertEqual(r["stopReason"], "tool_use")
        call = next(b["toolUse"] for b in r["output"]["message"]["content"] if "toolUse" in b)
        self.assertEqual(call["name"], "get_weather")
        self.assertIsInstance(call["input"]["city"], str)
        self.assertIn(call["input"]["unit"], ["c", "f"])
        # streamed: the tool input arrives as JSON text in toolUse deltas
        r = aws().converse_stream(modelId=NOVA, messages=user("weather"), toolConfig=tool_config)
        name, pieces, stop = None, [], None
        for event in r["stream"]:
            if "contentBlockStart" in event:
                name = event["contentBlockStart"]["start"]["toolUse"]["name"]
            elif "contentBlockDelta" in event:
                pieces.append(event["contentBlockDelta"]["delta"]["toolUse"]["input"])
            elif "messageStop" in event:
                stop = event["messageStop"]["stopReason"]
        self.assertEqual(name, "get_weather")
        self.assertEqual(stop, "tool_use")
        self.assertIsInstance(json.loads("".join(pieces))["city"], str)

    def test_titan_embeddings(self):
        r = aws().invoke_model(
            modelId="amazon.titan-embed-text-v2:0",
            body=json.dumps({"inputText": "hello embeddings", "dimensions": 256}),
            contentType="application/json",
            accept="application/json",
        )
        body = json.loads(r["body"].read())
        self.assertEqual(len(body["embedding"]), 256)
        self.assertEqual(body["inputTextTokenCount"], 2)
        norm = sum(x * x for x in body["embedding"]) ** 0.5
        self.assertAlmostEqual(norm, 1.0, places=3)

    def test_list_foundation_models(self):
        summaries = aws("bedrock").list_foundation_models()["modelSummaries"]
        ids = [m["modelId"] for m in summaries]
        self.assertIn(NOVA, ids)
        self.assertIn("amazon.titan-embed-text-v2:0", ids)
        nova = next(m for m in summaries if m["modelId"] == NOVA)
        self.assertEqual(nova["modelArn"], f"arn:aws:bedrock:us-east-1::foundation-model/{NOVA}")

    def test_wrong_secret(self):
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            aws(secret="not-the-secret").converse(modelId=NOVA, messages=user("x"))
        err = e.exception.response
        self.assertEqual(err["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_validation_error(self):
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            aws().converse(modelId="amazon.no-such-model-v1:0", messages=user("x"))
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")


CLAUDE_ON_BEDROCK = "anthropic.claude-3-5-haiku-20241022-v1:0"


def anb(secret=AWS_SECRET_ACCESS_KEY):
    # the anthropic SDK's Bedrock client: SigV4 (through botocore) and InvokeModel
    return anthropic.AnthropicBedrock(
        aws_access_key=AWS_ACCESS_KEY_ID,
        aws_secret_key=secret,
        aws_region="us-east-1",
        base_url=URLS["bedrock"],
        max_retries=0,
    )


class AnthropicBedrockSDK(unittest.TestCase):
    def test_invoke_model(self):
        m = anb().messages.create(
            model=CLAUDE_ON_BEDROCK, max_tokens=100, messages=[{"role": "user", "content": "Hello Claude"}]
        )
        self.assertEqual(m.type, "message")
        self.assertEqual(m.model, "claude-3-5-haiku-20241022")
        self.assertEqual(m.stop_reason, "end_turn")
        self.assertEqual(m.usage.output_tokens, 20)
        self.assertEqual(count_tokens(m.content[0].text), 20)

    def test_invoke_model_stream(self):
        with anb().messages.stream(
            model=CLAUDE_ON_BEDROCK, max_tokens=100, messages=[{"role": "user", "content": "Stream it"}]
        ) as s:
            text = "".join(s.text_stream)
            final = s.get_final_message()
        self.assertEqual(final.content[0].text, text)
        self.assertEqual(final.usage.output_tokens, count_tokens(text))
        self.assertEqual(final.stop_reason, "end_turn")

    def test_errors(self):
        with self.assertRaises(anthropic.BadRequestError):
            anb().messages.create(model=CLAUDE_ON_BEDROCK, max_tokens=0, messages=[{"role": "user", "content": "x"}])
        with self.assertRaises(anthropic.PermissionDeniedError):
            anb(secret="not-the-secret").messages.create(
                model=CLAUDE_ON_BEDROCK, max_tokens=10, messages=[{"role": "user", "content": "x"}]
            )


def gm():
    # the emulator announces ".../v1beta"; the SDK wants the root and adds the API version
    root = URLS["gemini"].rsplit("/v1beta", 1)[0]
    return genai.Client(
        api_key="gm-test",
        http_options=genai.types.HttpOptions(base_url=root, api_version="v1beta"),
    )


class GoogleGenAISDK(unittest.TestCase):
    def setUp(self):
        # held by the test: the client closes its HTTP connection pool when garbage-collected,
        # which a bare gm().models would allow mid-call
        self.client = gm()

    def test_generate_content(self):
        r = self.client.models.generate_content(model="gemini-2.0-flash", contents="Hello Gemini")
        self.assertEqual(count_tokens(r.text), 12)
        self.assertEqual(r.candidates[0].finish_reason, genai.types.FinishReason.STOP)
        self.assertEqual(r.usage_metadata.prompt_token_count, 2)
        self.assertEqual(r.usage_metadata.candidates_token_count, 12)
        self.assertEqual(r.usage_metadata.total_token_count, 14)

    def test_generate_content_stream(self):
        parts, last_usage = [], None
        for chunk in self.client.models.generate_content_stream(model="gemini-2.0-flash", contents="Stream it"):
            if chunk.text:
                parts.append(chunk.text)
            if chunk.usage_metadata is not None:
                last_usage = chunk.usage_metadata
        self.assertGreater(len(parts), 1)
        self.assertEqual(count_tokens("".join(parts)), 12)
        self.assertEqual(last_usage.candidates_token_count, 12)
        self.assertEqual(last_usage.prompt_token_count, 2)

    def test_embed_content(self):
        r = self.client.models.embed_content(
            model="gemini-embedding-001",
            contents=["hello world", "bye"],
            config=genai.types.EmbedContentConfig(output_dimensionality=768),
        )
        self.assertEqual(len(r.embeddings), 2)
        self.assertEqual(len(r.embeddings[0].values), 768)
        self.assertNotEqual(r.embeddings[0].values, r.embeddings[1].values)

    def test_models_list(self):
        names = [m.name for m in self.client.models.list()]
        self.assertIn("models/gemini-2.0-flash", names)
        self.assertIn("models/gemini-embedding-001", names)

    def test_not_found(self):
        with self.assertRaises(genai.errors.ClientError) as e:
            self.client.models.generate_content(model="gemini-0", contents="x")
        self.assertEqual(e.exception.code, 404)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
