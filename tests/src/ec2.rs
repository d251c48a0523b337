//! A raw EC2 query-protocol client, for tests of the harness itself and for checking what a
//! client under test did (e.g. listing the instances `poni` launched).
//!
//! Requests are unsigned but carry an `Authorization` header with a SigV4 credential scope:
//! moto picks the service (`ec2`) and region from that scope (an unsigned request without it
//! lands in S3) and checks no signature.

use std::time::Duration;

use crate::env::TEST_REGION;
use crate::process::http_agent;

/// The EC2 API version the query protocol names in every call.
const API_VERSION: &str = "2016-11-15";

/// Raw EC2 calls to one endpoint (a proxy or moto itself).
pub struct Ec2Client {
    endpoint: String,
    region: String,
    agent: ureq::Agent,
}

/// One EC2 answer, error answers included.
#[derive(Clone, Debug)]
pub struct Ec2Response {
    pub status: u16,
    pub body: String,
}

/// One instance as an answer shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceView {
    pub id: String,
    /// `instanceState` (Describe*) or `currentState` (Run/Start/Stop/Terminate answers).
    pub state: String,
    pub state_code: u16,
    /// `dnsName`, None when empty or absent.
    pub public_dns: Option<String>,
    /// `ipAddress` (the public IP), None when absent.
    pub public_ip: Option<String>,
}

impl Ec2Client {
    /// A client for `endpoint` in [`TEST_REGION`].
    pub fn new(endpoint: &str) -> Ec2Client {
        Ec2Client::with_region(endpoint, TEST_REGION)
    }

    pub fn with_region(endpoint: &str, region: &str) -> Ec2Client {
        Ec2Client { endpoint: endpoint.trim_end_matches('/').to_string(), region: region.to_string(), agent: http_agent(Duration::from_secs(60)) }
    }

    /// POSTs one call. Err only when no HTTP answer came (connection dropped, timeout);
    /// EC2 error answers are Ok with their status and XML body.
    pub fn call(&self, action: &str, params: &[(&str, &str)]) -> Result<Ec2Response, ureq::Error> {
        let mut form: Vec<(&str, &str)> = vec![("Action", action), ("Version", API_VERSION)];
        form.extend_from_slice(params);
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=testing/20250101/{}/ec2/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0",
            self.region
        );
        let mut resp = self.agent.post(&format!("{}/", self.endpoint)).header("Authorization", &auth).send_form(form)?;
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string()?;
        Ok(Ec2Response { status, body })
    }

    /// Like [`Ec2Client::call`], panicking unless the answer is a 2xx.
    pub fn call_ok(&self, action: &str, params: &[(&str, &str)]) -> Ec2Response {
        let resp = self.call(action, params).unwrap_or_else(|e| panic!("{action}: no answer: {e}"));
        assert!(resp.is_ok(), "{action} failed with {}: {}", resp.status, resp.body);
        resp
    }

    /// Launches `count` instances of [`crate::TEST_AMI`]; returns their ids.
    pub fn run_instances(&self, count: u32) -> Vec<String> {
        let n = count.to_string();
        let resp = self.call_ok("RunInstances", &[("ImageId", crate::TEST_AMI), ("MinCount", &n), ("MaxCount", &n)]);
        resp.instances().into_iter().map(|i| i.id).collect()
    }

    /// TerminateInstances (or Stop/StartInstances, by `action`) on `ids`; the answer's views.
    pub fn change_state(&self, action: &str, ids: &[String]) -> Vec<InstanceView> {
        let keys: Vec<String> = (1..=ids.len()).map(|i| format!("InstanceId.{i}")).collect();
        let params: Vec<(&str, &str)> = keys.iter().map(String::as_str).zip(ids.iter().map(String::as_str)).collect();
        self.call_ok(action, &params).instances()
    }

    /// DescribeInstances with `filters` (name, values); all instances, across pages.
    pub fn describe_instances(&self, filters: &[(&str, &[&str])]) -> Vec<InstanceView> {
        let mut params: Vec<(String, String)> = Vec::new();
        for (i, (name, values)) in filters.iter().enumerate() {
            params.push((format!("Filter.{}.Name", i + 1), name.to_string()));
            for (j, value) in values.iter().enumerate() {
                params.push((format!("Filter.{}.Value.{}", i + 1, j + 1), value.to_string()));
            }
        }
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut page: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            if let Some(t) = &token {
                page.push(("NextToken", t));
            }
            let resp = self.call_ok("DescribeInstances", &page);
            all.extend(resp.instances());
            token = resp.values("nextToken").into_iter().next().filter(|t| !t.is_empty());
            if token.is_none() {
                return all;
            }
        }
    }

    /// The one instance with this id (through an `instance-id` filter, which, unlike
    /// InstanceId.N, does not fail for an id EC2 does not know yet).
    pub fn describe_instance(&self, id: &str) -> Option<InstanceView> {
        self.describe_instances(&[("instance-id", &[id])]).into_iter().next()
    }
}

impl Ec2Response {
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The EC2 error code (`<Errors><Error><Code>`), if this is an error answer.
    pub fn error_code(&self) -> Option<String> {
        if self.is_ok() {
            return None;
        }
        self.values("Code").into_iter().next()
    }

    /// The text of every `<tag>…</tag>` in the answer, in order (empty elements give "").
    pub fn values(&self, tag: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        while let Some((text, after)) = next_element(rest, tag) {
            out.push(text.to_string());
            rest = after;
        }
        out
    }

    /// The instances of a Describe*, RunInstances or state-change answer.
    ///
    /// Cuts the answer at each `<instanceId>` and reads the state and addresses that follow
    /// it, which is the element order of EC2's (and moto's) answers.
    pub fn instances(&self) -> Vec<InstanceView> {
        let marker = "<instanceId>";
        let mut parts: Vec<&str> = self.body.split(marker).skip(1).collect();
        // A Describe answer's chunk runs into the next instance's leading elements, which
        // hold no instanceState/dnsName/ipAddress: reading the first match per chunk is right.
        parts.retain(|p| !p.is_empty());
        parts
            .into_iter()
            .filter_map(|chunk| {
                let id = chunk.split('<').next()?.to_string();
                let state_block = first_text(chunk, "instanceState").or_else(|| first_text(chunk, "currentState"))?;
                let state = first_text(state_block, "name")?.to_string();
                let state_code = first_text(state_block, "code")?.parse::<u16>().ok()? & 0xff;
                let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
                Some(InstanceView {
                    id,
                    state,
                    state_code,
                    public_dns: nonempty(first_text(chunk, "dnsName")),
                    public_ip: nonempty(first_text(chunk, "ipAddress")),
                })
            })
            .collect()
    }
}

/// The text of the first `<tag>…</tag>` (or "" for `<tag/>`) in `s`, and what follows it.
fn next_element<'a>(s: &'a str, tag: &str) -> Option<(&'a str, &'a str)> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let empty = [format!("<{tag}/>"), format!("<{tag} />")];
    let full = s.find(&open).map(|i| (i, false));
    let short = empty.iter().filter_map(|e| s.find(e.as_str()).map(|i| (i, e.len()))).min();
    match (full, short) {
        (Some((i, _)), short) if short.is_none_or(|(j, _)| i < j) => {
            let start = i + open.len();
            let end = start + s[start..].find(&close)?;
            Some((&s[start..end], &s[end + close.len()..]))
        }
        (_, Some((j, len))) => Some(("", &s[j + len..])),
        _ => None,
    }
}

fn first_text<'a>(s: &'a str, tag: &str) -> Option<&'a str> {
    next_element(s, tag).map(|(text, _)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_instances_and_errors() {
        let body = r#"<R xmlns="x"><instancesSet><item><association><publicDnsName>p</publicDnsName>
            </association><instanceId>i-1</instanceId><instanceState><code>16</code>
            <name>running</name></instanceState><dnsName>ec2-1</dnsName>
            <ipAddress>1.2.3.4</ipAddress></item><item><instanceId>i-2</instanceId>
            <instanceState><code>256</code><name>pending</name></instanceState><dnsName />
            </item></instancesSet></R>"#;
        let resp = Ec2Response { status: 200, body: body.to_string() };
        let got = resp.instances();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "i-1");
        assert_eq!(got[0].state, "running");
        assert_eq!(got[0].public_dns.as_deref(), Some("ec2-1"));
        assert_eq!(got[0].public_ip.as_deref(), Some("1.2.3.4"));
        assert_eq!((got[1].state.as_str(), got[1].state_code), ("pending", 0));
        assert_eq!((got[1].public_dns.clone(), got[1].public_ip.clone()), (None, None));

        let err = Ec2Response {
            status: 503,
            body: "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors>\
                   </Response>"
                .into(),
        };
        assert_eq!(err.error_code().as_deref(), Some("RequestLimitExceeded"));
        assert_eq!(resp.error_code(), None);
    }
}
