package dev.tributary.bench.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** JSON values as Jackson trees, the format of Tributary's {@code serdes.json()} and of the Nexmark loader. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A serde of JSON objects (UTF-8 text); a null value stays null (a tombstone). */
  static Serde<ObjectNode> objects() {
    Serializer<ObjectNode> serializer = (topic, value) -> {
      if (value == null) return null;
      try {
        return MAPPER.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    Deserializer<ObjectNode> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        JsonNode node = MAPPER.readTree(bytes);
        if (!(node instanceof ObjectNode object)) throw new IllegalArgumentException("expected a JSON object in " + topic + ", got " + node.getNodeType());
        return object;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** A new empty object. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }
}
