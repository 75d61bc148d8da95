//! Settings that passed their check (linfa's params → valid params): fits
//! take a [`Checked`] value, so that they never see settings out of range,
//! and never check them again.

/// `T` after its `check`: only the `check` functions of this crate make one.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<T>(T);

impl<T> Checked<T> {
    /// Wraps settings that `check` has just validated.
    pub(crate) fn new(settings: T) -> Self {
        Checked(settings)
    }

    /// The settings themselves.
    pub fn get(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
