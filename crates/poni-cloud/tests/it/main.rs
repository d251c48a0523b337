//! poni-cloud's integration tests, one test binary (linking one binary per test file cost more
//! than running them). The moto tests share the binary's one moto, each with its own proxy and
//! so its own account; the keyring test uses a service name of its own.

mod account_moto;
mod engine_moto;
mod keyring_secret_service;
mod moto_provider;
mod provider_moto;
