//! A serializer that writes nothing: the consumer of the checking pass, which walks every
//! template only for what resolving it records (see `resolve.rs`).

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

/// Accepts any value and discards it.
pub(crate) struct Discard;

/// What [`Discard`] fails with: only the errors a `Serialize` implementation raises.
#[derive(Debug)]
pub(crate) struct Failed(String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

type Done = Result<(), Failed>;

macro_rules! discard_scalars {
    ($($method:ident($t:ty)),* $(,)?) => {$(
        fn $method(self, _: $t) -> Done {
            Ok(())
        }
    )*};
}

impl Serializer for Discard {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Discard;
    type SerializeTuple = Discard;
    type SerializeTupleStruct = Discard;
    type SerializeTupleVariant = Discard;
    type SerializeMap = Discard;
    type SerializeStruct = Discard;
    type SerializeStructVariant = Discard;

    discard_scalars!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Done {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_tuple(self, _: usize) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Discard, Failed> {
        Ok(Discard)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Discard, Failed> {
        Ok(Discard)
    }
}

macro_rules! discard_compound {
    ($($trait:ident { $($method:ident($($arg:ty),*)),* }),* $(,)?) => {$(
        impl ser::$trait for Discard {
            type Ok = ();
            type Error = Failed;
            $(fn $method<T: ?Sized + Serialize>(&mut self, $(_: $arg,)* value: &T) -> Done {
                value.serialize(Discard)
            })*
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

discard_compound!(
    SerializeSeq { serialize_element() },
    SerializeTuple { serialize_element() },
    SerializeTupleStruct { serialize_field() },
    SerializeTupleVariant { serialize_field() },
    SerializeMap { serialize_key(), serialize_value() },
    SerializeStruct { serialize_field(&'static str) },
    SerializeStructVariant { serialize_field(&'static str) },
);
