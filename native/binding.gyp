{
  "targets": [
    {
      "target_name": "nodeswan_native",
      "sources": ["nodeswan-native.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"]
    }
  ]
}
