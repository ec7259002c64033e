//! Closed sets of choices (measure type, visit type, statuses…).
//!
//! Each is stored in documents as a short, stable English code (`on_site`), shown to users through
//! its Norwegian label, and parsed from the code with a clear error. One macro gives all of that so a
//! new choice cannot forget a part.

/// Defines an enum whose variants are stored as string codes and carry a Norwegian label.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $name:ident, field = $field:ident {
            $( $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $crate::field::labelled! {
            $(#[$meta])*
            $name { $( $variant = $code, $label; )+ }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $( $code => Ok($name::$variant), )+
                    other => Err($crate::ValidationError::UnknownChoice {
                        field: $crate::Field::$field,
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.code())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                s.parse().map_err(|_| autosurgeon::HydrateError::unexpected(
                    concat!("a code for ", stringify!($name)),
                    s.to_owned(),
                ))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use choice;
