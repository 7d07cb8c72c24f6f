//! The OpenAI-compatible family: each member's quirks as a named dialect.
//!
//! Sources are cited next to each fact: "facts §N" is `shared/data/ai-cloud-facts.md` (which
//! cites the vendor page); anything the facts file marks unverified says so here too.

/// How the API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStyle {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `api-key: <key>` (Azure OpenAI).
    ApiKeyHeader,
}

/// Where a dialect reports prompt tokens served from cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachedTokensField {
    /// `usage.prompt_tokens_details.cached_tokens` (OpenAI).
    PromptTokensDetails,
    /// `usage.prompt_cache_hit_tokens` + `prompt_cache_miss_tokens` (DeepSeek).
    PromptCacheHitTokens,
    /// `usage.cached_tokens` at the top level of `usage`.
    TopLevelCachedTokens,
}

/// A member of the OpenAI-compatible family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    OpenAi,
    Azure,
    DashScope,
    Ark,
    Qianfan,
    Hunyuan,
    ModelArts,
    Kingsoft,
    Zhipu,
    Moonshot,
    DeepSeek,
    GeminiOpenAi,
    BedrockOpenAi,
}

impl Dialect {
    pub const ALL: [Dialect; 13] = [
        Self::OpenAi,
        Self::Azure,
        Self::DashScope,
        Self::Ark,
        Self::Qianfan,
        Self::Hunyuan,
        Self::ModelArts,
        Self::Kingsoft,
        Self::Zhipu,
        Self::Moonshot,
        Self::DeepSeek,
        Self::GeminiOpenAi,
        Self::BedrockOpenAi,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Azure => "azure",
            Self::DashScope => "dashscope",
            Self::Ark => "ark",
            Self::Qianfan => "qianfan",
            Self::Hunyuan => "hunyuan",
            Self::ModelArts => "modelarts",
            Self::Kingsoft => "kingsoft",
            Self::Zhipu => "zhipu",
            Self::Moonshot => "moonshot",
            Self::DeepSeek => "deepseek",
            Self::GeminiOpenAi => "gemini-openai",
            Self::BedrockOpenAi => "bedrock-openai",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// Default base URLs per region, as `(region, url)`; the first is the default. `{resource}`
    /// and `{region}` are placeholders the caller fills in.
    pub fn base_urls(self) -> &'static [(&'static str, &'static str)] {
        match self {
            // facts §1 / §3.4
            Self::OpenAi => &[("global", "https://api.openai.com/v1")],
            // facts §1: v1 API "opt-in since Aug 2025" (learn.microsoft.com api-version-lifecycle)
            Self::Azure => &[("any", "https://{resource}.openai.azure.com/openai/v1")],
            // facts §1: help.aliyun.com compatibility-of-openai-with-dashscope
            Self::DashScope => &[
                (
                    "cn-beijing",
                    "https://dashscope.aliyuncs.com/compatible-mode/v1",
                ),
                (
                    "ap-southeast-1",
                    "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
                ),
            ],
            // facts §1 and §2.2: Ark cn-beijing; BytePlus ModelArk ap-southeast / eu-west
            Self::Ark => &[
                ("cn-beijing", "https://ark.cn-beijing.volces.com/api/v3"),
                (
                    "ap-southeast",
                    "https://ark.ap-southeast.bytepluses.com/api/v3",
                ),
                ("eu-west", "https://ark.eu-west.bytepluses.com/api/v3"),
            ],
            // facts §1: cloud.baidu.com/doc/qianfan/s/Hmh4suq26 (upd. 2025-12-09)
            Self::Qianfan => &[("cn", "https://qianfan.baidubce.com/v2")],
            // facts §1: cloud.tencent.com/document/product/1729/111007; TokenHub from models.dev
            Self::Hunyuan => &[
                ("cn", "https://api.hunyuan.cloud.tencent.com/v1"),
                ("tokenhub", "https://tokenhub.tencentmaas.com/v1"),
            ],
            // facts §1: support.huaweicloud.com maas-modelarts-0078 / model-call-020
            Self::ModelArts => &[
                ("cn-southwest-2", "https://api.modelarts-maas.com/v1"),
                (
                    "ap-southeast-1",
                    "https://api-ap-southeast-1.modelarts-maas.com/v1",
                ),
            ],
            // facts §2.7: docs.ksyun.com/documents/44800 (2025-11-13)
            Self::Kingsoft => &[("cn", "https://kspmas.ksyun.com/v1")],
            // facts §1: models.dev zhipuai / zai provider.toml
            Self::Zhipu => &[
                ("cn", "https://open.bigmodel.cn/api/paas/v4"),
                ("global", "https://api.z.ai/api/paas/v4"),
            ],
            // facts §1: models.dev moonshotai(-cn)
            Self::Moonshot => &[
                ("cn", "https://api.moonshot.cn/v1"),
                ("global", "https://api.moonshot.ai/v1"),
            ],
            // facts §1: api-docs.deepseek.com (the root serves /chat/completions)
            Self::DeepSeek => &[("global", "https://api.deepseek.com")],
            // facts §1: Google's OpenAI-compatibility docs
            Self::GeminiOpenAi => &[(
                "global",
                "https://generativelanguage.googleapis.com/v1beta/openai",
            )],
            // facts §1: docs.aws.amazon.com bedrock inference-chat-completions
            Self::BedrockOpenAi => &[(
                "any",
                "https://bedrock-runtime.{region}.amazonaws.com/openai/v1",
            )],
        }
    }

    /// Base URL for `region` (or the default), with `{region}`/`{resource}` filled by `fill`.
    pub fn base_url(self, region: Option<&str>, fill: Option<&str>) -> String {
        let urls = self.base_urls();
        let chosen = region
            .and_then(|r| urls.iter().find(|(name, _)| *name == r))
            .or_else(|| urls.first())
            .map_or("", |(_, u)| *u);
        let value = fill.or(region).unwrap_or("");
        chosen
            .replace("{region}", value)
            .replace("{resource}", value)
    }

    pub fn auth_style(self) -> AuthStyle {
        match self {
            // facts §1: "`api-key` header or Entra ID bearer"
            Self::Azure => AuthStyle::ApiKeyHeader,
            // facts §1: every other member takes `Authorization: Bearer <key>` (Bedrock's
            // OpenAI path needs a Bedrock API key, not SigV4)
            _ => AuthStyle::Bearer,
        }
    }

    /// Where the dialect reports cached prompt tokens (parsing accepts every location; this is
    /// the one written when serving as this dialect).
    pub fn cached_tokens_field(self) -> CachedTokensField {
        match self {
            // facts §1: "`usage.prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` (not
            // `cached_tokens`)" [docs.stigg.io DeepSeek page]
            Self::DeepSeek => CachedTokensField::PromptCacheHitTokens,
            // facts §1: "`usage.cached_tokens` on prompt-cache hit"
            // [ai.baidu.com/ai-doc/WENXINWORKSHOP/Rm6uq7jy9]
            Self::Qianfan => CachedTokensField::TopLevelCachedTokens,
            // Moonshot context caching reports `usage.cached_tokens` (Kimi caching docs; not in
            // the facts file, unverified)
            Self::Moonshot => CachedTokensField::TopLevelCachedTokens,
            // OpenAI semantics (facts §1 Azure "OpenAI semantics"); DashScope, Ark, Zhipu,
            // Hunyuan, ModelArts, Kingsoft, Gemini and Bedrock OpenAI paths follow OpenAI's
            // `prompt_tokens_details` — facts §1 marks several of these "not verified"
            _ => CachedTokensField::PromptTokensDetails,
        }
    }

    /// The message field carrying reasoning text, when the dialect has one.
    pub fn reasoning_field(self) -> Option<&'static str> {
        match self {
            // DeepSeek reasoner, Qwen (DashScope), Doubao (Ark), ERNIE X1 (Qianfan), Hunyuan T1,
            // GLM (Zhipu), Kimi thinking (Moonshot) and models served on ModelArts/Kingsoft
            // return `reasoning_content` (facts §1 usage column for Ark; Kimi: lavapayments
            // Moonshot page "Multi-step reasoning with reasoning_content")
            Self::DeepSeek
            | Self::DashScope
            | Self::Ark
            | Self::Qianfan
            | Self::Hunyuan
            | Self::Zhipu
            | Self::Moonshot
            | Self::ModelArts
            | Self::Kingsoft => Some("reasoning_content"),
            // OpenAI and Azure chat completions do not return reasoning text; Gemini's and
            // Bedrock's OpenAI paths: not documented in the facts file
            Self::OpenAi | Self::Azure | Self::GeminiOpenAi | Self::BedrockOpenAi => None,
        }
    }

    /// Whether `max_tokens` must be sent as `max_completion_tokens` (OpenAI's reasoning models
    /// reject `max_tokens`; the compatible family documents `max_tokens`).
    pub fn uses_max_completion_tokens(self) -> bool {
        matches!(self, Self::OpenAi | Self::Azure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_has_a_base_url_and_a_unique_name() {
        let mut names = std::collections::HashSet::new();
        for d in Dialect::ALL {
            assert!(!d.base_urls().is_empty(), "{}", d.name());
            assert!(names.insert(d.name()));
            assert_eq!(Dialect::from_name(d.name()), Some(d));
        }
    }

    #[test]
    fn regions_and_placeholders_are_filled() {
        assert_eq!(
            Dialect::DashScope.base_url(Some("ap-southeast-1"), None),
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
        );
        assert_eq!(
            Dialect::DashScope.base_url(None, None),
            "https://dashscope.aliyuncs.com/compatible-mode/v1"
        );
        assert_eq!(
            Dialect::BedrockOpenAi.base_url(Some("us-west-2"), None),
            "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1"
        );
        assert_eq!(
            Dialect::Azure.base_url(None, Some("contoso")),
            "https://contoso.openai.azure.com/openai/v1"
        );
    }

    #[test]
    fn quirks() {
        assert_eq!(Dialect::Azure.auth_style(), AuthStyle::ApiKeyHeader);
        assert_eq!(Dialect::DeepSeek.auth_style(), AuthStyle::Bearer);
        assert_eq!(
            Dialect::DeepSeek.cached_tokens_field(),
            CachedTokensField::PromptCacheHitTokens
        );
        assert_eq!(
            Dialect::DeepSeek.reasoning_field(),
            Some("reasoning_content")
        );
        assert_eq!(Dialect::OpenAi.reasoning_field(), None);
    }
}
