//! On-demand prices from the AWS Price List Query API: GetProducts for one instance type in
//! one region, Linux, shared tenancy, no pre-installed software, capacity in use (the filters
//! AWS's own examples use to single out the on-demand price an instance is billed), following
//! NextToken. The Query API answers in a few regions only, whatever region the prices are for;
//! Poni asks us-east-1. The documents come back as AWS publishes them and are read by
//! [`crate::health::price_list`].

use aws_sdk_pricing::types::{Filter, FilterType};

use super::errors::{from_sdk, ErrorContext};
use super::{ActionClass, CloudError, Ec2Provider};

/// Where the Price List Query API is asked.
pub const PRICE_LIST_REGION: &str = "us-east-1";
/// GetProducts' largest page.
const PAGE_SIZE: i32 = 100;
/// Pages followed at most: the filters match one product, a few at worst.
const MAX_PAGES: usize = 10;

/// The TERM_MATCH filters for the on-demand Linux price of `instance_type` in `region`.
pub(crate) fn ec2_filters(region: &str, instance_type: &str) -> Vec<Filter> {
    [
        ("instanceType", instance_type),
        ("regionCode", region),
        ("operatingSystem", "Linux"),
        ("tenancy", "Shared"),
        ("preInstalledSw", "NA"),
        ("capacitystatus", "Used"),
    ]
    .into_iter()
    .filter_map(|(field, value)| Filter::builder().r#type(FilterType::TermMatch).field(field).value(value).build().ok())
    .collect()
}

impl Ec2Provider {
    /// The Price List documents for Linux on-demand `instance_type` in `region` (one per
    /// matching product, as JSON text).
    pub async fn ec2_price_documents(&self, region: &str, instance_type: &str) -> Result<Vec<String>, CloudError> {
        let client = self.pricing();
        let ctx = ErrorContext { instance_type: Some(instance_type.to_owned()), ..ErrorContext::new("GetProducts", region) };
        let filters = ec2_filters(region, instance_type);
        let mut documents = Vec::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .paced(PRICE_LIST_REGION, ActionClass::GetProducts, |_| {
                    let request = client
                        .get_products()
                        .service_code("AmazonEC2")
                        .format_version("aws_v1")
                        .set_filters(Some(filters.clone()))
                        .max_results(PAGE_SIZE)
                        .set_next_token(next_token.clone());
                    let ctx = &ctx;
                    async move { request.send().await.map_err(|e| from_sdk(ctx, e)) }
                })
                .await?;
            documents.extend(page.price_list().iter().cloned());
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
        Ok(documents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_single_out_the_on_demand_linux_price() {
        let filters = ec2_filters("eu-west-1", "m5.large");
        let pairs: Vec<(&str, &str, &str)> = filters.iter().map(|f| (f.r#type().as_str(), f.field(), f.value())).collect();
        assert_eq!(
            pairs,
            [
                ("TERM_MATCH", "instanceType", "m5.large"),
                ("TERM_MATCH", "regionCode", "eu-west-1"),
                ("TERM_MATCH", "operatingSystem", "Linux"),
                ("TERM_MATCH", "tenancy", "Shared"),
                ("TERM_MATCH", "preInstalledSw", "NA"),
                ("TERM_MATCH", "capacitystatus", "Used"),
            ]
        );
    }
}
