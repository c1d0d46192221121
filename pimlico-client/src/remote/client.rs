//! The typed client: one method per endpoint of pimlicod's `/v1` API.

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use pimlico_proto::data::headers;
use pimlico_proto::status::{ModuleDetail, PipelineStatus};
use pimlico_proto::{
    DataCompression, DefinitionResponse, DeleteResponse, ErrorResponse, HealthResponse,
    ModuleActionResponse, PipelinesResponse, PullRequest, RunInfo, RunRequest, RunsResponse,
    TokenRequest, TokenResponse, TransferInfo, TransfersResponse, UploadResponse,
};
use reqwest::{Method, RequestBuilder, Response, Url};
use serde::de::DeserializeOwned;

use super::error::{Error, Result};
use super::servers::ServerSpec;
use super::tls::client_config;

/// A stream of body bytes; it ends with an error (never cleanly) when the transfer breaks.
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// A module's data on its way from a daemon.
pub struct Download {
    /// Bytes of file data announced by the daemon.
    pub data_bytes: Option<u64>,
    /// Number of files announced by the daemon.
    pub files: Option<u64>,
    /// The archive (dump format) as it arrives.
    pub body: ByteStream,
}

impl Download {
    /// The size announcement and the body of a data response.
    pub(super) fn from_response(response: Response) -> Self {
        let number = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        };
        Download {
            data_bytes: number(headers::DATA_BYTES),
            files: number(headers::FILES),
            body: body_stream(response),
        }
    }
}

/// Filters of [`Client::runs`].
#[derive(Debug, Clone, Default)]
pub struct RunFilter<'a> {
    /// Only runs of this pipeline.
    pub pipeline: Option<&'a str>,
    /// Only runs of this variant.
    pub variant: Option<&'a str>,
    /// Only runs that include this module.
    pub module: Option<&'a str>,
}

/// A client for one daemon.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .finish()
    }
}

impl Client {
    /// A client for the server described by `spec`.
    pub fn new(spec: &ServerSpec) -> Result<Self> {
        let bad = |reason: String| Error::BadUrl {
            url: spec.url.clone(),
            reason,
        };
        let mut base = Url::parse(&spec.url).map_err(|e| bad(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(bad("expected http://HOST:PORT or https://HOST:PORT".into()));
        }
        base.path_segments_mut()
            .map_err(|()| bad("not a base URL".into()))?
            .pop_if_empty();
        let tls = client_config(spec.ca_file.as_deref(), spec.ca_pem.as_deref())?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| Error::Tls(e.to_string()))?;
        if let Some(token) = &spec.token
            && reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).is_err()
        {
            return Err(Error::BadToken {
                source_name: None,
                reason: "it contains characters not allowed in an HTTP header".into(),
            });
        }
        Ok(Self {
            http,
            base,
            token: spec.token.clone(),
        })
    }

    /// The same daemon with another token (a scoped one, or none).
    pub fn with_token(&self, token: Option<String>) -> Self {
        Self {
            token,
            ..self.clone()
        }
    }

    /// The daemon's base URL.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// Whether the daemon is on this machine's loopback (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        let Some(host) = self.base.host_str() else {
            return false;
        };
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<std::net::IpAddr>() {
            Ok(ip) => ip.to_canonical().is_loopback(),
            Err(_) => bare.eq_ignore_ascii_case("localhost"),
        }
    }

    /// The compression to ask this daemon for: `auto` resolved for the link to it.
    pub fn link_compression(&self, requested: DataCompression) -> DataCompression {
        requested.for_link(self.is_loopback())
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked in new()")
            .extend(segments);
        url
    }

    pub(super) fn module_url(&self, p: &str, v: &str, m: &str, rest: &[&str]) -> Url {
        let mut segments = vec!["v1", "pipelines", p, v, "modules", m];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    pub(super) fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let builder = self.http.request(method, url);
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends a request and turns error statuses into [`Error::Api`].
    pub async fn send(&self, builder: RequestBuilder) -> Result<Response> {
        let request = builder.build().map_err(|source| Error::Request {
            method: "(building)",
            url: self.base.to_string(),
            source,
        })?;
        let method = method_name(request.method());
        let url = request.url().to_string();
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|source| Error::Request {
                method,
                url: url.clone(),
                source,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let (code, message) = match serde_json::from_str::<ErrorResponse>(&text) {
            Ok(body) => (body.code, body.message),
            Err(_) => ("unknown".to_string(), text),
        };
        Err(Error::Api {
            method,
            url,
            status: status.as_u16(),
            code,
            message,
        })
    }

    pub(super) async fn json<T: DeserializeOwned>(&self, builder: RequestBuilder) -> Result<T> {
        let response = self.send(builder).await?;
        let url = response.url().to_string();
        response.json().await.map_err(|source| Error::Request {
            method: "reading",
            url,
            source,
        })
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T> {
        self.json(self.request(Method::GET, url)).await
    }

    /// A request to `path_and_query` (below the base URL) with this client's token, for
    /// callers that need a request no typed method makes; send it with [`Client::send`].
    pub fn raw(&self, method: Method, path_and_query: &str) -> RequestBuilder {
        let url = format!(
            "{}{}",
            self.base.as_str().trim_end_matches('/'),
            path_and_query
        );
        match &self.token {
            Some(token) => self.http.request(method, url).bearer_auth(token),
            None => self.http.request(method, url),
        }
    }

    /// `GET` on any path below the base URL, for endpoints without a typed method
    /// (`/metrics`, `/v1/openapi.json`).
    pub async fn get_raw(&self, segments: &[&str]) -> Result<Response> {
        self.send(self.request(Method::GET, self.url(segments)))
            .await
    }

    /// `GET /v1/health`.
    pub async fn health(&self) -> Result<HealthResponse> {
        self.get_json(self.url(&["v1", "health"])).await
    }

    /// `GET /v1/pipelines`.
    pub async fn pipelines(&self) -> Result<PipelinesResponse> {
        self.get_json(self.url(&["v1", "pipelines"])).await
    }

    /// `GET /v1/pipelines/{pipeline}/{variant}/status`: as `pimlico status --json`.
    pub async fn status(&self, p: &str, v: &str, all: bool) -> Result<PipelineStatus> {
        let mut url = self.url(&["v1", "pipelines", p, v, "status"]);
        if all {
            url.set_query(Some("all=true"));
        }
        self.get_json(url).await
    }

    /// `GET .../modules/{module}`: as `pimlico status MODULE --json`.
    pub async fn module_status(
        &self,
        p: &str,
        v: &str,
        m: &str,
        history: bool,
    ) -> Result<ModuleDetail> {
        let mut url = self.module_url(p, v, m, &[]);
        if history {
            url.set_query(Some("history=true"));
        }
        self.get_json(url).await
    }

    /// `GET .../modules/{module}/definition`.
    pub async fn definition(&self, p: &str, v: &str, m: &str) -> Result<DefinitionResponse> {
        self.get_json(self.module_url(p, v, m, &["definition"]))
            .await
    }

    /// `POST .../runs`.
    pub async fn start_run(&self, p: &str, v: &str, request: &RunRequest) -> Result<RunInfo> {
        let url = self.url(&["v1", "pipelines", p, v, "runs"]);
        self.json(self.request(Method::POST, url).json(request))
            .await
    }

    /// `GET /v1/runs/{id}`.
    pub async fn run(&self, id: &str) -> Result<RunInfo> {
        self.get_json(self.url(&["v1", "runs", id])).await
    }

    /// `GET /v1/runs/{id}?wait=SECS`: answers once the run has ended, or after `secs`.
    pub async fn wait_run(&self, id: &str, secs: u64) -> Result<RunInfo> {
        let mut url = self.url(&["v1", "runs", id]);
        url.query_pairs_mut().append_pair("wait", &secs.to_string());
        self.get_json(url).await
    }

    /// Waits (long polls) until the run has ended.
    pub async fn run_to_end(&self, id: &str) -> Result<RunInfo> {
        loop {
            let info = self.wait_run(id, 30).await?;
            if info.state.is_finished() {
                return Ok(info);
            }
        }
    }

    /// `GET /v1/runs`.
    pub async fn runs(&self, filter: &RunFilter<'_>) -> Result<RunsResponse> {
        let mut url = self.url(&["v1", "runs"]);
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in [
                ("pipeline", filter.pipeline),
                ("variant", filter.variant),
                ("module", filter.module),
            ] {
                if let Some(value) = value {
                    query.append_pair(key, value);
                }
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        self.get_json(url).await
    }

    /// `DELETE /v1/runs/{id}`: cancels the run (its modules' processes are killed).
    pub async fn cancel_run(&self, id: &str) -> Result<RunInfo> {
        let url = self.url(&["v1", "runs", id]);
        self.json(self.request(Method::DELETE, url)).await
    }

    /// `GET /v1/runs/{id}/logs`: the run's log; with `follow`, the stream stays open and
    /// delivers new lines until the run ends.
    pub async fn run_logs(&self, id: &str, follow: bool) -> Result<ByteStream> {
        let mut url = self.url(&["v1", "runs", id, "logs"]);
        if follow {
            url.set_query(Some("follow=true"));
        }
        let response = self.send(self.request(Method::GET, url)).await?;
        Ok(body_stream(response))
    }

    /// `GET .../modules/{module}/data`: the module as a dump archive.
    pub async fn download(
        &self,
        p: &str,
        v: &str,
        m: &str,
        compression: DataCompression,
    ) -> Result<Download> {
        let mut url = self.module_url(p, v, m, &["data"]);
        url.query_pairs_mut()
            .append_pair("compression", self.link_compression(compression).as_str());
        let response = self.send(self.request(Method::GET, url)).await?;
        Ok(Download::from_response(response))
    }

    /// `PUT .../modules/{module}/data`: installs a dump archive read from `body`. An error in
    /// `body` aborts the upload, and the daemon keeps the data it had.
    pub async fn upload<S>(
        &self,
        p: &str,
        v: &str,
        m: &str,
        overwrite: bool,
        body: S,
    ) -> Result<UploadResponse>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let mut url = self.module_url(p, v, m, &["data"]);
        if overwrite {
            url.set_query(Some("overwrite=true"));
        }
        let body = reqwest::Body::wrap_stream(body);
        self.json(self.request(Method::PUT, url).body(body)).await
    }

    /// `DELETE .../modules/{module}/data`.
    pub async fn delete_data(&self, p: &str, v: &str, m: &str) -> Result<DeleteResponse> {
        let url = self.module_url(p, v, m, &["data"]);
        self.json(self.request(Method::DELETE, url)).await
    }

    /// `POST .../modules/{module}/reset`.
    pub async fn reset(&self, p: &str, v: &str, m: &str) -> Result<ModuleActionResponse> {
        let url = self.module_url(p, v, m, &["reset"]);
        self.json(self.request(Method::POST, url)).await
    }

    /// `POST .../modules/{module}/unlock`.
    pub async fn unlock(&self, p: &str, v: &str, m: &str) -> Result<ModuleActionResponse> {
        let url = self.module_url(p, v, m, &["unlock"]);
        self.json(self.request(Method::POST, url)).await
    }

    /// `POST /v1/tokens`: a token scoped to reading some modules.
    pub async fn mint_token(&self, request: &TokenRequest) -> Result<TokenResponse> {
        let url = self.url(&["v1", "tokens"]);
        self.json(self.request(Method::POST, url).json(request))
            .await
    }

    /// `POST .../pulls`: this daemon fetches modules from another.
    pub async fn start_pull(
        &self,
        p: &str,
        v: &str,
        request: &PullRequest,
    ) -> Result<TransferInfo> {
        let url = self.url(&["v1", "pipelines", p, v, "pulls"]);
        self.json(self.request(Method::POST, url).json(request))
            .await
    }

    /// [`Client::start_pull`], then [`Client::transfer_to_end`]: the pull's record once it has
    /// ended, succeeded or failed (its `state` says which).
    pub async fn pull_to_end(
        &self,
        p: &str,
        v: &str,
        request: &PullRequest,
    ) -> Result<TransferInfo> {
        let started = self.start_pull(p, v, request).await?;
        self.transfer_to_end(&started.id).await
    }

    /// `GET /v1/transfers/{id}`.
    pub async fn transfer(&self, id: &str) -> Result<TransferInfo> {
        self.get_json(self.url(&["v1", "transfers", id])).await
    }

    /// `GET /v1/transfers/{id}?wait=SECS`: answers once the transfer has ended, or after
    /// `secs`.
    pub async fn wait_transfer(&self, id: &str, secs: u64) -> Result<TransferInfo> {
        let mut url = self.url(&["v1", "transfers", id]);
        url.query_pairs_mut().append_pair("wait", &secs.to_string());
        self.get_json(url).await
    }

    /// Waits (long polls) until the transfer has ended.
    pub async fn transfer_to_end(&self, id: &str) -> Result<TransferInfo> {
        loop {
            let info = self.wait_transfer(id, 30).await?;
            if info.state.is_finished() {
                return Ok(info);
            }
        }
    }

    /// `GET /v1/transfers`.
    pub async fn transfers(&self) -> Result<TransfersResponse> {
        self.get_json(self.url(&["v1", "transfers"])).await
    }
}

pub(super) fn body_stream(response: Response) -> ByteStream {
    response
        .bytes_stream()
        .map_err(std::io::Error::other)
        .boxed()
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Client {
        Client::new(&ServerSpec::url(url, None)).unwrap()
    }

    #[test]
    fn loopback_links_get_no_compression_by_default() {
        for url in [
            "http://127.0.0.1:7878",
            "http://127.9.0.1:1",
            "http://localhost:7878",
            "https://[::1]:7878",
            "http://[::ffff:127.0.0.1]:80",
        ] {
            assert!(client(url).is_loopback(), "{url}");
            assert_eq!(
                client(url).link_compression(DataCompression::Auto),
                DataCompression::None
            );
        }
        for url in ["http://10.0.0.1:7878", "https://server.example:7878"] {
            assert!(!client(url).is_loopback(), "{url}");
            assert_eq!(
                client(url).link_compression(DataCompression::Auto),
                DataCompression::Zstd
            );
        }
        assert_eq!(
            client("http://127.0.0.1:1").link_compression(DataCompression::Gzip),
            DataCompression::Gzip
        );
    }
}
