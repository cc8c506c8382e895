def install(lib):
    pass
