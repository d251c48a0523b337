//! poni-app's integration tests, one test binary (linking one binary per test file cost more
//! than running them). The cloud session tests each have their own repository, settings and
//! proxy account in the binary's one shared moto; the sandbox test starts its own servers on
//! free ports in a venv of its own. So the modules' tests run side by side in this process.

mod cloud_session_moto;
mod fleet_wall_moto;
mod sandbox_install;
