//! The client side of verified transfers: manifests, selected files, planned uploads and
//! verification (`/v1/.../manifest`, `.../data/files`, `.../data/plan`, `.../verify`).

use bytes::Bytes;
use futures::Stream;
use pimlico_proto::{
    DataCompression, FilesRequest, ManifestResponse, PlanRequest, PlanResponse, UploadResponse,
    VerifyResponse,
};
use reqwest::Method;

use super::client::{Client, Download};
use super::error::Result;

impl Client {
    /// `GET .../modules/{module}/manifest`: every file of the module with its BLAKE3 hash.
    pub async fn manifest(&self, p: &str, v: &str, m: &str) -> Result<ManifestResponse> {
        let url = self.module_url(p, v, m, &["manifest"]);
        self.json(self.request(Method::GET, url)).await
    }

    /// `POST .../modules/{module}/data/files`: a dump of only these files of the module.
    pub async fn download_files(
        &self,
        p: &str,
        v: &str,
        m: &str,
        files: &[String],
        compression: DataCompression,
    ) -> Result<Download> {
        let request = FilesRequest {
            files: files.to_vec(),
            compression: self.link_compression(compression),
            all: false,
        };
        self.files_request(p, v, m, &request).await
    }

    /// `POST .../modules/{module}/data/files` with `all`: a dump of every file of the module,
    /// for a receiver that needs them all (no list of paths either way).
    pub async fn download_all_files(
        &self,
        p: &str,
        v: &str,
        m: &str,
        compression: DataCompression,
    ) -> Result<Download> {
        let request = FilesRequest {
            files: Vec::new(),
            compression: self.link_compression(compression),
            all: true,
        };
        self.files_request(p, v, m, &request).await
    }

    async fn files_request(
        &self,
        p: &str,
        v: &str,
        m: &str,
        request: &FilesRequest,
    ) -> Result<Download> {
        let url = self.module_url(p, v, m, &["data", "files"]);
        let response = self
            .send(self.request(Method::POST, url).json(&request))
            .await?;
        Ok(Download::from_response(response))
    }

    /// `POST .../modules/{module}/data/plan`: tells the daemon the manifest of a module about
    /// to be uploaded; it answers with what it still needs.
    pub async fn plan_upload(
        &self,
        p: &str,
        v: &str,
        m: &str,
        request: &PlanRequest,
    ) -> Result<PlanResponse> {
        let url = self.module_url(p, v, m, &["data", "plan"]);
        self.json(self.request(Method::POST, url).json(request))
            .await
    }

    /// `PUT .../modules/{module}/data?manifest=DIGEST`: uploads the files a plan asked for
    /// (as a dump); the daemon verifies each and installs the complete module.
    pub async fn upload_planned<S>(
        &self,
        p: &str,
        v: &str,
        m: &str,
        digest: &str,
        overwrite: bool,
        body: S,
    ) -> Result<UploadResponse>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let mut url = self.module_url(p, v, m, &["data"]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("manifest", digest);
            if overwrite {
                query.append_pair("overwrite", "true");
            }
        }
        let body = reqwest::Body::wrap_stream(body);
        self.json(self.request(Method::PUT, url).body(body)).await
    }

    /// `POST .../modules/{module}/verify`: the daemon re-hashes the module's files and
    /// compares them with the manifest recorded for them.
    pub async fn verify(&self, p: &str, v: &str, m: &str) -> Result<VerifyResponse> {
        let url = self.module_url(p, v, m, &["verify"]);
        self.json(self.request(Method::POST, url)).await
    }
}
