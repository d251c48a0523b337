//! The Price List's product documents read into an hourly price. GetProducts answers one
//! JSON text per product, in AWS's published format:
//!
//! `{"product": {"sku": …, "attributes": {"instanceType": "t3.micro", "regionCode":
//! "us-east-1", "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
//! "capacitystatus": "Used", …}}, "terms": {"OnDemand": {"<sku>.<term>": {"priceDimensions":
//! {"<sku>.<term>.<rate>": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0104000000"}, …}}}},
//! "Reserved": {…}}, …}`
//!
//! The documents are hostile input: each is checked again against what was asked (the
//! server's filtering is not trusted), anything malformed is skipped, and two products that
//! disagree give no price rather than a guess.

use serde_json::Value;

use super::Money;

/// A product document larger than this is not a price (real ones are a few KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// The on-demand hourly price of Linux `instance_type` in `region` (shared tenancy, no
/// pre-installed software, capacity in use) among `documents`; `None` when none holds one or
/// they disagree.
pub fn on_demand_hourly(documents: &[String], instance_type: &str, region: &str) -> Option<Money> {
    let mut found: Option<Money> = None;
    for price in documents.iter().filter_map(|doc| hourly_of(doc, instance_type, region)) {
        match found {
            None => found = Some(price),
            Some(seen) if seen == price => {}
            Some(_) => return None,
        }
    }
    found
}

/// The one on-demand hourly USD price of a document describing what was asked.
fn hourly_of(document: &str, instance_type: &str, region: &str) -> Option<Money> {
    if document.len() > MAX_DOCUMENT_BYTES {
        return None;
    }
    let doc: Value = serde_json::from_str(document).ok()?;
    let attributes = doc.get("product")?.get("attributes")?;
    let wanted = [
        ("instanceType", instance_type),
        ("regionCode", region),
        ("operatingSystem", "Linux"),
        ("tenancy", "Shared"),
        ("preInstalledSw", "NA"),
        ("capacitystatus", "Used"),
    ];
    if !wanted.iter().all(|(key, value)| attributes.get(*key).and_then(Value::as_str) == Some(*value)) {
        return None;
    }
    let mut prices = doc
        .get("terms")?
        .get("OnDemand")?
        .as_object()?
        .values()
        .filter_map(|term| term.get("priceDimensions")?.as_object())
        .flat_map(|dimensions| dimensions.values())
        .filter(|dimension| dimension.get("unit").and_then(Value::as_str) == Some("Hrs"))
        .map(|dimension| dimension.get("pricePerUnit")?.get("USD")?.as_str().and_then(Money::parse_usd));
    let first = prices.next()??;
    // Several hourly rates (tiers) would need usage to choose from: no single price.
    prices.all(|other| other == Some(first)).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document(instance_type: &str, region: &str, os: &str, capacity: &str, usd: &str) -> String {
        json!({
            "product": {"productFamily": "Compute Instance", "sku": "3RUD9MHYEHYNKEYU", "attributes": {
                "instanceType": instance_type, "regionCode": region, "operatingSystem": os, "tenancy": "Shared",
                "preInstalledSw": "NA", "capacitystatus": capacity, "location": "US East (N. Virginia)"}},
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": {"3RUD9MHYEHYNKEYU.JRTCKXETXF": {"priceDimensions": {"3RUD9MHYEHYNKEYU.JRTCKXETXF.6YS6EN2CT7": {
                    "unit": "Hrs", "description": "per On Demand Linux Instance Hour", "pricePerUnit": {"USD": usd}}}}},
                "Reserved": {"3RUD9MHYEHYNKEYU.4NA7Y494T4": {"priceDimensions": {"x": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0065000000"}}}}}
            },
            "version": "20261120193637", "publicationDate": "2026-11-20T19:36:37Z"
        })
        .to_string()
    }

    #[test]
    fn the_on_demand_linux_price_is_read_exactly() {
        let docs = vec![
            document("t3.micro", "us-east-1", "Windows", "Used", "0.0196000000"),
            document("t3.micro", "us-east-1", "Linux", "AllocatedCapacityReservation", "0.0000000000"),
            document("t3.micro", "us-east-1", "Linux", "Used", "0.0104000000"),
        ];
        assert_eq!(on_demand_hourly(&docs, "t3.micro", "us-east-1"), Some(Money(10_400_000)));
        assert_eq!(on_demand_hourly(&docs, "t3.micro", "eu-west-1"), None, "another region's product is not this one's price");
        assert_eq!(on_demand_hourly(&docs, "t3.small", "us-east-1"), None);
        assert_eq!(on_demand_hourly(&[], "t3.micro", "us-east-1"), None);
    }

    #[test]
    fn hostile_documents_give_no_price() {
        let linux = document("t3.micro", "us-east-1", "Linux", "Used", "0.0104000000");
        for bad in [
            "not json".to_owned(),
            "[]".to_owned(),
            json!({"product": {"attributes": {}}, "terms": {}}).to_string(),
            document("t3.micro", "us-east-1", "Linux", "Used", "-1"),
            document("t3.micro", "us-east-1", "Linux", "Used", "1e3"),
            format!("{}{}", linux, " ".repeat(MAX_DOCUMENT_BYTES)),
        ] {
            assert_eq!(on_demand_hourly(std::slice::from_ref(&bad), "t3.micro", "us-east-1"), None, "{}", &bad[..bad.len().min(80)]);
        }
        let other = document("t3.micro", "us-east-1", "Linux", "Used", "0.0200000000");
        assert_eq!(on_demand_hourly(&[linux.clone(), other], "t3.micro", "us-east-1"), None, "products that disagree: no guess");
        assert_eq!(on_demand_hourly(&[linux.clone(), linux], "t3.micro", "us-east-1"), Some(Money(10_400_000)), "the same price twice is that price");
    }
}
