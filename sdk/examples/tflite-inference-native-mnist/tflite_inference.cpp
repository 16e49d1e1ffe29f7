// tflite_inference: the TensorFlow Lite inference service of Veracruz's tflite-inference-native-mnist
// example, as a dynamic native module (docs/policy.md#native-modules): a host program the enclave
// runs in its native sandbox when the Wasm program writes its request to the module's special file
// (/services/tflite_inference.dat). The sandbox gives it the request at /execution_config and the
// caller's readable files at their enclave paths; what it writes is copied back under the caller's
// rights (docs/sandbox.md#native-modules).
//
// The request is Veracruz's TfLiteInferenceInput, postcard-encoded (docs/guest-programs.md#the-
// tflite-inference-service):
//   input_tensor_path: PathBuf, model_path: PathBuf, output_tensor_path: PathBuf, num_threads: i32
// a path being a varint length (at most 5 bytes, below 2^32) and that many UTF-8 bytes, the i32
// a zigzag varint. Decoding is strict: a short request, a bad varint, a path that is empty, not
// UTF-8 or holds a 0 byte, or bytes after the value are refused.
//
// The model is read by Arm NN's TensorFlow Lite parser (Debian's libarmnntfliteparser) and run on
// Arm NN's reference CPU backend (CpuRef, Debian's libarmnn-cpuref-backend22, a dynamic backend
// Arm NN loads from its directory, given here explicitly). The input file must hold exactly the
// bytes of the model's one input tensor; the output file receives the bytes of its one output
// tensor. num_threads is accepted and not used: CpuRef runs on the calling thread.
//
// Outside the sandbox (to try it by hand), `tflite_inference REQUEST` reads the request from the file
// REQUEST instead of /execution_config.
//
// Exit codes: 0 done; 2 a malformed request; 3 a file that cannot be read or written; 4 a model
// Arm NN refuses or cannot run; 5 an input tensor of the wrong size. Every refusal says why on
// stderr and writes nothing.
#include <armnn/ArmNN.hpp>
#include <armnn/BackendRegistry.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#ifndef ARMNN_BACKENDS_DIR
#error "build with -DARMNN_BACKENDS_DIR=\"<the directory of Arm_CpuRef_backend.so>\""
#endif

namespace {

// Veracruz's place for a dynamic module's request inside its sandbox.
std::string requestPath = "/execution_config";

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "tflite_inference: " << message << std::endl;
  std::exit(code);
}

bool readFile(const std::string& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

struct TfLiteInferenceInput {
  std::string inputTensorPath;
  std::string modelPath;
  std::string outputTensorPath;
  int32_t numThreads;
};

class Postcard {
 public:
  explicit Postcard(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}

  // An unsigned varint of at most 32 bits (postcard's u32 and wasm32's usize).
  uint32_t varint32(const char* what) {
    const size_t start = at_;
    uint64_t value = 0;
    for (int i = 0; i < 5; i++) {
      if (at_ >= bytes_.size()) refuse(start, what, "ends inside its varint");
      const uint8_t byte = bytes_[at_++];
      value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (value > 0xffffffffu) refuse(start, what, "has a varint past 32 bits");
        return static_cast<uint32_t>(value);
      }
    }
    refuse(start, what, "has a varint longer than 5 bytes");
  }

  std::string path(const char* what) {
    const size_t start = at_;
    const uint32_t length = varint32(what);
    if (length > bytes_.size() - at_) refuse(start, what, "is longer than the request");
    std::string text(bytes_.begin() + at_, bytes_.begin() + at_ + length);
    at_ += length;
    if (!validUtf8(text)) refuse(start, what, "is not UTF-8");
    if (text.empty() || text.find('\0') != std::string::npos)
      refuse(start, what, "is empty or holds a 0 byte");
    return text;
  }

  int32_t i32(const char* what) {
    const uint32_t raw = varint32(what);
    // Zigzag: 0, -1, 1, -2, ... are 0, 1, 2, 3, ...
    return static_cast<int32_t>((raw >> 1) ^ (0u - (raw & 1u)));
  }

  void end() const {
    if (at_ != bytes_.size())
      fail(2, requestPath + " has " + std::to_string(bytes_.size() - at_) +
                  " bytes after the TfLiteInferenceInput (from byte " + std::to_string(at_) + ")");
  }

 private:
  [[noreturn]] static void refuse(size_t at, const char* what, const char* why) {
    fail(2, requestPath + " is not a postcard TfLiteInferenceInput: " + what +
                " (byte " + std::to_string(at) + ") " + why);
  }

  // RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF.
  static bool validUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<uint8_t>(s[i]);
      int n;
      uint32_t cp;
      if (c < 0x80) {
        i++;
        continue;
      } else if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
      } else {
        return false;
      }
      if (i + n >= s.size()) return false;
      for (int k = 1; k <= n; k++) {
        const auto d = static_cast<uint8_t>(s[i + k]);
        if ((d & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (d & 0x3f);
      }
      if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
          (cp >= 0xd800 && cp <= 0xdfff))
        return false;
      i += n + 1;
    }
    return true;
  }

  const std::vector<uint8_t>& bytes_;
  size_t at_ = 0;
};

TfLiteInferenceInput readRequest() {
  std::vector<uint8_t> bytes;
  if (!readFile(requestPath, bytes)) fail(3, "cannot read " + requestPath);
  Postcard p(bytes);
  TfLiteInferenceInput request;
  request.inputTensorPath = p.path("input_tensor_path");
  request.modelPath = p.path("model_path");
  request.outputTensorPath = p.path("output_tensor_path");
  request.numThreads = p.i32("num_threads");
  p.end();
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) fail(2, "usage: tflite_inference [REQUEST]");
  if (argc == 2) requestPath = argv[1];
  const TfLiteInferenceInput request = readRequest();

  std::vector<uint8_t> model;
  if (!readFile(request.modelPath, model)) fail(3, "cannot read the model " + request.modelPath);
  std::vector<uint8_t> input;
  if (!readFile(request.inputTensorPath, input))
    fail(3, "cannot read the input tensor " + request.inputTensorPath);

  try {
    // The parser verifies the flatbuffer against TensorFlow Lite's schema before reading it.
    armnnTfLiteParser::ITfLiteParserPtr parser = armnnTfLiteParser::ITfLiteParser::Create();
    armnn::INetworkPtr network = parser->CreateNetworkFromBinary(model);
    if (parser->GetSubgraphCount() != 1)
      fail(4, request.modelPath + " has " + std::to_string(parser->GetSubgraphCount()) +
                  " subgraphs, not 1");
    const std::vector<std::string> inputs = parser->GetSubgraphInputTensorNames(0);
    const std::vector<std::string> outputs = parser->GetSubgraphOutputTensorNames(0);
    if (inputs.size() != 1 || outputs.size() != 1)
      fail(4, request.modelPath + " has " + std::to_string(inputs.size()) + " inputs and " +
                  std::to_string(outputs.size()) + " outputs, not 1 and 1");
    const armnnTfLiteParser::BindingPointInfo in = parser->GetNetworkInputBindingInfo(0, inputs[0]);
    const armnnTfLiteParser::BindingPointInfo out =
        parser->GetNetworkOutputBindingInfo(0, outputs[0]);
    if (input.size() != in.second.GetNumBytes())
      fail(5, request.inputTensorPath + " holds " + std::to_string(input.size()) +
                  " bytes; the model's input tensor " + inputs[0] + " takes " +
                  std::to_string(in.second.GetNumBytes()));

    armnn::IRuntime::CreationOptions options;
    // Debian builds CpuRef as a dynamic backend, a shared library Arm NN loads from a directory
    // when the runtime is created (its compiled-in default is the same directory).
    options.m_DynamicBackendsPath = ARMNN_BACKENDS_DIR;
    armnn::IRuntimePtr runtime = armnn::IRuntime::Create(options);
    const armnn::BackendIdSet backends = armnn::BackendRegistryInstance().GetBackendIds();
    if (backends.find(armnn::Compute::CpuRef) == backends.end())
      fail(4, std::string("Arm NN has no CpuRef backend (looked in ") + ARMNN_BACKENDS_DIR + ")");

    std::vector<std::string> messages;
    armnn::IOptimizedNetworkPtr optimized = armnn::Optimize(
        *network, {armnn::Compute::CpuRef}, runtime->GetDeviceSpec(), armnn::OptimizerOptions(),
        armnn::Optional<std::vector<std::string>&>(messages));
    if (!optimized) {
      std::string why;
      for (const std::string& m : messages) why += "; " + m;
      fail(4, "Arm NN cannot run " + request.modelPath + " on CpuRef" + why);
    }
    armnn::NetworkId id;
    std::string error;
    if (runtime->LoadNetwork(id, std::move(optimized), error) != armnn::Status::Success)
      fail(4, "Arm NN cannot load " + request.modelPath + ": " + error);

    std::vector<uint8_t> result(out.second.GetNumBytes());
    const armnn::InputTensors inputTensors{{in.first, armnn::ConstTensor(in.second, input.data())}};
    const armnn::OutputTensors outputTensors{
        {out.first, armnn::Tensor(out.second, result.data())}};
    if (runtime->EnqueueWorkload(id, inputTensors, outputTensors) != armnn::Status::Success)
      fail(4, "Arm NN failed to run " + request.modelPath);

    std::ofstream file(request.outputTensorPath, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(result.data()),
               static_cast<std::streamsize>(result.size()));
    file.close();
    if (!file) fail(3, "cannot write the output tensor " + request.outputTensorPath);
  } catch (const armnn::Exception& e) {
    fail(4, request.modelPath + ": " + e.what());
  } catch (const std::exception& e) {
    fail(4, request.modelPath + ": " + e.what());
  }
  return 0;
}
