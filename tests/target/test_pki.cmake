# SPDX-License-Identifier: MIT
# Credentials for the board's TLS tests, made when the build is configured with
# Debian's openssl program (never committed): a test CA, a server certificate
# for localhost and 127.0.0.1 that it signs, and a second CA that signs
# nothing, written as PEM text into a header the test image compiles in.
#   include(test_pki.cmake) → ${CMAKE_CURRENT_BINARY_DIR}/test_pki.hpp
find_program(SOCKKIT_OPENSSL openssl REQUIRED)
set(pki ${CMAKE_CURRENT_BINARY_DIR}/pki)
file(MAKE_DIRECTORY ${pki})
if(NOT EXISTS ${pki}/server.pem)
  set(ec -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  file(WRITE ${pki}/server.ext "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
  foreach(step
      "req;-x509;${ec};-keyout;ca.key;-out;ca.pem;-subj;/CN=sockkit board test CA;-days;3650"
      "req;-x509;${ec};-keyout;other-ca.key;-out;other-ca.pem;-subj;/CN=another CA;-days;3650"
      "req;${ec};-keyout;server.key;-out;server.csr;-subj;/CN=localhost"
      "x509;-req;-in;server.csr;-CA;ca.pem;-CAkey;ca.key;-CAcreateserial;-out;server.pem;-days;3650;-extfile;server.ext")
    execute_process(COMMAND ${SOCKKIT_OPENSSL} ${step} WORKING_DIRECTORY ${pki}
                    RESULT_VARIABLE failed OUTPUT_QUIET ERROR_VARIABLE why)
    if(failed)
      message(FATAL_ERROR "board test PKI: openssl ${step}: ${why}")
    endif()
  endforeach()
endif()
set(header "// Made by tests/target/test_pki.cmake when the build was configured.\n#pragma once\n")
foreach(pair "kCaPem:ca.pem" "kOtherCaPem:other-ca.pem" "kServerCertificatePem:server.pem"
             "kServerKeyPem:server.key")
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 name)
  list(GET pair 1 file)
  file(READ ${pki}/${file} text)
  string(APPEND header "inline constexpr const char ${name}[] = R\"pem(${text})pem\";\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/test_pki.hpp.new "${header}")
configure_file(${CMAKE_CURRENT_BINARY_DIR}/test_pki.hpp.new ${CMAKE_CURRENT_BINARY_DIR}/test_pki.hpp
               COPYONLY)
